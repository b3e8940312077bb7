// Measures the exporter's CPU and memory cost on Linux: starts the built exporter, lets it warm
// up, then over DURATION seconds reads /proc/<pid>/stat (CPU ticks) and /proc/<pid>/status (RSS)
// of the exporter and of its children (the long-running nvidia-smi), while fetching
// /api/v1/snapshot once a second as the dashboard does.
// Usage: node scripts/measure-exporter-cost.mjs [--exporter FILE] [--seconds 60] [-- exporter args]
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const all = process.argv.slice(2);
const argv = all.includes('--') ? all.slice(0, all.indexOf('--')) : all;
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const file = opt('--exporter', 'dist/exporter/llama-dash-exporter.mjs');
const seconds = Number(opt('--seconds', '60'));
const passthrough = all.includes('--') ? all.slice(all.indexOf('--') + 1) : [];
const port = Number(opt('--port', '18239'));
const TICK = 100; // USER_HZ on Linux

const stat = (pid) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
};
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const children = (pid) => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
  try { return stat(d).ppid === pid; } catch { return false; }
}).map(Number);
const comm = (pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

const child = spawn(process.execPath, [file, '--port', String(port), '--interval', '1s', ...passthrough], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve) => child.stdout.on('data', (d) => String(d).includes('listening') && resolve()));
await new Promise((r) => setTimeout(r, 5000));

const pids = () => [child.pid, ...children(child.pid)];
const before = new Map(pids().map((p) => [p, stat(p).ticks]));
const rss = new Map();
const t0 = Date.now();
while (Date.now() - t0 < seconds * 1000) {
  await fetch(`http://127.0.0.1:${port}/api/v1/snapshot`).then((r) => r.arrayBuffer());
  for (const p of pids()) rss.set(p, Math.max(rss.get(p) ?? 0, rssKiB(p)));
  await new Promise((r) => setTimeout(r, 1000));
}
const wall = (Date.now() - t0) / 1000;
const rows = pids().map((p) => {
  const cpu = (stat(p).ticks - (before.get(p) ?? 0)) / TICK;
  return { pid: p, name: p === child.pid ? 'exporter (node)' : comm(p), cpuSeconds: cpu, cpuPercent: +(100 * cpu / wall).toFixed(2), maxRssMiB: +((rss.get(p) ?? 0) / 1024).toFixed(1) };
});
const snap = await (await fetch(`http://127.0.0.1:${port}/api/v1/snapshot`)).json();
child.kill('SIGTERM');
console.log(JSON.stringify({ wallSeconds: +wall.toFixed(1), intervalMs: 1000, gpus: snap.gpus.length, sources: snap.sources, rows }, null, 2));
