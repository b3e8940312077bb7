#!/usr/bin/env node
// `npm start`: build the app when dist/ is missing or older than the sources, serve dist/ with
// `vite preview` on a printed local URL, and run the companion exporter beside it when it was built.
// Ctrl-C stops both. PORT and HOST choose where the dashboard listens (default 127.0.0.1:4173).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const exporterBuild = join(root, 'scripts', 'build-exporter.mjs');
const exporter = join(dist, 'exporter', 'llama-dash-exporter.mjs');
const host = process.env.HOST ?? '127.0.0.1';
const port = process.env.PORT ?? '4173';

if (!existsSync(vite)) {
  console.error('Dependencies are missing: run `npm ci` first, then `npm start`.');
  process.exit(1);
}

/** Newest modification time under `path` (files and folders, recursively). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const name of readdirSync(path)) t = Math.max(t, newest(join(path, name)));
  return t;
}

function run(args, what) {
  console.log(`> ${what}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${what} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

const inputs = ['src', 'public', 'exporter', 'index.html', 'vite.config.ts', 'package.json', 'package-lock.json'];
const builtAt = existsSync(join(dist, 'index.html')) ? statSync(join(dist, 'index.html')).mtimeMs : 0;
if (builtAt === 0 || Math.max(...inputs.map((p) => newest(join(root, p)))) > builtAt) {
  run([vite, 'build'], 'Building the dashboard (vite build)');
  if (existsSync(exporterBuild)) run([exporterBuild], 'Building the exporter');
}

const children = [];
let stopping = false;

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  process.exitCode = code;
}

function start(name, args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    // Ctrl-C in a terminal signals the whole process group: that is a normal stop.
    if (signal === 'SIGINT' || signal === 'SIGTERM') return stopAll(0);
    console.error(`${name} stopped (${signal ?? `exit ${code}`}); stopping the rest.`);
    stopAll(code ?? 1);
  });
  children.push(child);
}

start('The dashboard server', [vite, 'preview', '--outDir', 'dist', '--host', host, '--port', port, '--strictPort']);
console.log(`\nLlama Dashboard: http://${host}:${port}/   (Ctrl-C stops it)`);
if (existsSync(exporter)) {
  // The exporter also watches a llama-server: the ones in LLAMADASH_EXPORTER_LLAMA, read as the exporter
  // reads it (set but empty: none), else llama-server's own default address. A watched server's history has
  // no gap while the page is closed, and while it is idle the page takes its figures from the exporter's
  // stream rather than asking the server every second: the cheapest way to leave a dashboard open.
  const watched = process.env.LLAMADASH_EXPORTER_LLAMA ?? 'http://127.0.0.1:8080';
  const servers = watched.split(',').map((u) => u.trim()).filter((u) => u !== '');
  start('The exporter', [exporter], { LLAMADASH_EXPORTER_LLAMA: watched });
  // The exporter's own default port (exporter/options.ts) unless its variable moves it.
  const exporterUrl = `http://127.0.0.1:${process.env.LLAMADASH_EXPORTER_PORT ?? 8642}`;
  const watching = servers.length > 0 ? `, watching ${servers.join(', ')}` : '';
  console.log(`Companion exporter started from dist/exporter/llama-dash-exporter.mjs${watching}.`);
  console.log(`Open http://${host}:${port}/?exporter=${exporterUrl}${servers.map((u) => `&server=${u}`).join('')}`);
  if (servers.length > 0) {
    console.log(`to see ${servers.length > 1 ? 'those llama-servers' : 'that llama-server'} (started with --metrics) beside the GPU and host statistics.`);
    console.log('LLAMADASH_EXPORTER_LLAMA=<url>[,<url>...] npm start watches other servers (set but empty: none).');
  } else {
    console.log('to see the GPU and host statistics; add &server=<url> for each llama-server.');
  }
} else {
  console.log('No exporter build found (dist/exporter/llama-dash-exporter.mjs): GPU and host statistics are off.');
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stopAll(0));
