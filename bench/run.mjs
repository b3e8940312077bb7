#!/usr/bin/env node
// `npm run bench`: builds what it needs, runs the storage workload (bench/workload.ts) in headless
// Chromium (the app's storage code in a dedicated worker on real OPFS) and on native SQLite
// (better-sqlite3, installed into bench/node_modules for the benchmark only), measures a cold start of
// the built app with a warm service worker and its bundle size, prints one table with the budget of
// issue 6 beside each figure and writes bench/results.json.
// Environment: BENCH_PORT (default 4280), CHROMIUM_PATH (default /usr/bin/chromium), BENCH_SKIP_BUILD=1
// reuses bench/dist from an earlier run, BENCH_ONLY=part,... runs only those parts (native, workload, cold,
// messages, watch, exporter; the others' rows read "-"), e.g. BENCH_ONLY=cold,messages for the page's figures.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { measureMessagesPerTick } from './messages-per-tick.mjs';
import { measureWatchCost } from './watch-cost.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bench = join(root, 'bench');
const dist = join(bench, 'dist');
const port = Number(process.env.BENCH_PORT ?? 4280);
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const log = (s) => process.stderr.write(`${s}\n`);
const only = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean));
const want = (part) => only.size === 0 || only.has(part);

function run(cmd, args, what, opts = {}) {
  log(`> ${what}`);
  // Only the table goes to stdout: what the steps print goes to stderr.
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', opts.capture ? 'pipe' : 2, 'inherit'], encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    log(`${what} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
  return r.stdout;
}

if (!existsSync(vite)) {
  log('Dependencies are missing: run `npm ci` first, then `npm run bench`.');
  process.exit(1);
}

// better-sqlite3 is a native module for the comparison only: kept out of package.json so `npm ci` stays lean.
if (want('native') && !existsSync(join(bench, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))) {
  run('npm', ['install', '--prefix', bench, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', 'better-sqlite3@12'],
    'Installing better-sqlite3 v12 into bench/node_modules (benchmark only; may compile, a few minutes)');
}

if (process.env.BENCH_SKIP_BUILD !== '1') {
  // Source maps only to attribute the bundle's bytes to packages and folders (the service worker does not precache .map).
  run(process.execPath, [vite, 'build', '--mode', 'test', '--outDir', join(dist, 'app'), '--emptyOutDir', '--sourcemap', '--logLevel', 'warn'], 'Building the app into bench/dist/app');
  run(process.execPath, [vite, 'build', '--config', join(bench, 'vite.config.ts')], 'Building the benchmark page into bench/dist/bench');
  const { build } = await import('esbuild');
  log('> Bundling the native workload and the Playwright settings (esbuild)');
  await build({ entryPoints: [join(bench, 'native.ts')], bundle: true, platform: 'node', format: 'esm', outfile: join(dist, 'native.mjs'), logLevel: 'warning' });
  await build({ entryPoints: [join(root, 'playwright.config.ts')], bundle: false, platform: 'node', format: 'esm', outfile: join(dist, 'playwright-config.mjs'), logLevel: 'warning' });
  run(process.execPath, [join(root, 'scripts', 'build-exporter.mjs'), '--outfile', join(dist, 'exporter', 'llama-dash-exporter.mjs')], 'Building the exporter into bench/dist/exporter (the cost of watching one)');
}

const { chromiumArgs } = await import(pathToFileURL(join(dist, 'playwright-config.mjs')).href);
const { chromium } = await import('@playwright/test');
const load = [loadavg()[0]];

// ---- native ----
let native = {};
if (want('native')) {
  log('> Native SQLite (better-sqlite3) workload');
  native = JSON.parse(run(process.execPath, [join(dist, 'native.mjs')], 'node bench/dist/native.mjs', { capture: true }).trim().split('\n').pop());
}

// ---- a static server: the app under /app/, the benchmark page under /bench/ ----
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
};
const server = createServer((req, res) => {
  let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  // /plain/ serves the benchmark page without cross-origin isolation, to time a start like the app's.
  const plain = path.startsWith('/plain/');
  if (plain) path = path.replace('/plain/', '/bench/');
  let file = join(dist, path);
  if (!file.startsWith(dist + sep) || path.includes('..')) { res.writeHead(403).end(); return; }
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) { res.writeHead(404).end(); return; }
  const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' };
  // Cross-origin isolation for the benchmark page only: it gives the worker a 5 µs clock instead of
  // 100 µs. The app itself is served like any static host serves it.
  if (path.startsWith('/bench/') && !plain) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
  res.writeHead(200, headers).end(readFileSync(file));
});
await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${port}`;

const profiles = [];
async function browserContext() {
  const dir = mkdtempSync(join(tmpdir(), 'llama-dash-bench-'));
  profiles.push(dir);
  // A persistent profile: OPFS on disk, as for a user (an incognito-like context keeps it in memory).
  return chromium.launchPersistentContext(dir, { executablePath, args: chromiumArgs, viewport: { width: 1280, height: 900 } });
}

let browser = {};
let cold = {};
try {
  // ---- browser workload ----
  const ctx = want('workload') ? await browserContext() : null;
  if (ctx) try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    page.on('pageerror', (e) => log(`  page error: ${e.message}`));
    await page.goto(`${origin}/bench/page.html`);
    await page.waitForSelector('body[data-ready=true]');
    const call = (name) => page.evaluate((n) => globalThis.bench[n](), name);
    browser = { ...(await call('info')), chromium: ctx.browser()?.version() ?? '' };
    log(`> Browser workload (Chromium ${browser.chromium}, sqlite ${browser.sqliteVersion}, ${browser.storage}, journal ${browser.journalMode})`);
    Object.assign(browser, await call('main'));
    for (const l of await call('logs')) log(`  browser: ${l}`);
    Object.assign(browser, await call('size'), await call('models'), await call('tickOpfs'), await call('tickMemory'));
  } finally {
    await ctx.close();
  }
  if (want('cold')) cold = await coldStart();
  if (want('workload')) Object.assign(browser, await startup());
  if (want('messages')) {
    log('> Page <-> worker messages per poll tick (stand-in servers, 5 s each)');
    for (const r of await measureMessagesPerTick({ newContext: browserContext, appUrl: `${origin}/app/`, seconds: 5 })) {
      cold[`messages.${r.endpoints}`] = r.perTick;
      cold[`messages.${r.endpoints}.follower`] = r.followerPerTick;
    }
  }
  if (want('watch')) {
    const watchSeconds = Number(process.env.BENCH_WATCH_SECONDS ?? 120);
    log(`> Cost of watching: CPU of the whole browser while the app watches idle stand-in servers at 1 s, tab visible then hidden (${watchSeconds} s each)`);
    const watch = await measureWatchCost({
      chromium, executablePath, args: chromiumArgs, appUrl: `${origin}/app/`, exporterFile: join(dist, 'exporter', 'llama-dash-exporter.mjs'), seconds: watchSeconds, log,
    });
    for (const r of watch) {
      cold[`watch.${r.id}.visible`] = r.visible;
      cold[`watch.${r.id}.hidden`] = r.hidden;
      cold[`watch.${r.id}.hiddenState`] = r.hiddenState;
      cold[`watch.${r.id}.visibleWakes`] = r.visibleWakes;
      cold[`watch.${r.id}.hiddenWakes`] = r.hiddenWakes;
      cold[`watch.${r.id}.parts`] = { visible: Object.fromEntries(r.visibleParts), hidden: Object.fromEntries(r.hiddenParts) };
    }
  }
} finally {
  server.close();
  for (const d of profiles) rmSync(d, { recursive: true, force: true });
}
load.push(loadavg()[0]);

/**
 * What opening the database costs in a worker that starts, without cross-origin isolation (an isolated
 * page also starts sqlite-wasm's plain "opfs" VFS): timed on the second start, as a returning user's.
 */
async function startup() {
  const ctx = await browserContext();
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    let r = {};
    for (let k = 0; k < 2; k++) {
      await page.goto(`${origin}/plain/page.html`);
      await page.waitForSelector('body[data-ready=true]');
      r = await page.evaluate(() => globalThis.bench.info());
    }
    return { 'startup.sqliteInit': r['startup.sqliteInit'], 'startup.opfsOpen': r['startup.opfsOpen'] };
  } finally {
    await ctx.close();
  }
}

/**
 * Cold start: load the built app once (installs the service worker), store 24 h of one server and one
 * exporter through its own worker API, then time reloads from navigation to the first chart drawn
 * with history (Chart.svelte's data-points > 0, plus one frame so it is painted).
 */
async function coldStart() {
  log('> Cold start of the built app (warm service worker, 24 h of history)');
  const ctx = await browserContext();
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    await page.addInitScript(() => {
      const marks = (globalThis.__benchMarks = {});
      const seen = () => {
        if (!marks.dbReady && document.querySelector('[data-testid=db-status]')?.textContent?.includes('Database ready')) marks.dbReady = performance.now();
        if (!marks.chartData && document.querySelector('[data-testid=chart][data-points]:not([data-points="0"])')) {
          marks.chartData = performance.now();
          requestAnimationFrame(() => { marks.chartDrawn = performance.now(); });
        }
      };
      new MutationObserver(seen).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const url = `${origin}/app/#/dashboard`;
    await page.goto(url);
    await page.waitForFunction(() => globalThis.__benchMarks.dbReady, null, { timeout: 60_000 });
    await page.evaluate(() => navigator.serviceWorker.ready);
    const seeded = await page.evaluate(async () => {
      const db = globalThis.__llamaDash.db;
      const common = { apiKey: null, intervalMs: 1000, enabled: true };
      // Nothing listens on these ports (the benchmark's range): polls fail fast, history is what is drawn.
      const llama = await db.addEndpoint({ ...common, kind: 'llama', name: 'bench server', url: 'http://127.0.0.1:4299' });
      const exporter = await db.addEndpoint({ ...common, kind: 'exporter', name: 'bench host', url: 'http://127.0.0.1:4298' });
      const end = Math.floor(Date.now() / 1000) * 1000;
      for (let h = 24; h > 0; h--) {
        const frames = [];
        for (let s = 3600; s > 0; s--) {
          const ts = end - (h - 1) * 3600_000 - s * 1000;
          const i = ts / 1000;
          frames.push({ endpointId: llama.id, ts, values: {
            prompt_tps: 800 + (i % 13), gen_tps: 30, gen_tps_live: 29 + (i % 5), 'llamacpp:requests_processing': i % 2, 'llamacpp:requests_deferred': 0,
            slots_busy: i % 2, slots_total: 1, uptime_s: i % 86400, requests_per_min: 12, 'slot_ctx_fill{slot="0"}': (i % 400) / 4096,
          } });
          frames.push({ endpointId: exporter.id, ts, values: { cpu_util: i % 100, mem_used_bytes: 12e9, 'gpu_util{gpu="0"}': i % 97, 'gpu_mem_used_bytes{gpu="0"}': 20e9 } });
        }
        await db.saveFrames(frames);
      }
      await db.runRetention();
      return (await db.dbInfo()).totalBytes;
    });
    log(`  stored 24 h of history (${(seeded / 1e6).toFixed(1)} MB database)`);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    const runs = [];
    for (let k = 0; k < 9; k++) {
      await page.reload();
      const m = await page.waitForFunction(() => globalThis.__benchMarks.chartDrawn && globalThis.__benchMarks, null, { timeout: 30_000 }).then((h) => h.jsonValue());
      const nav = await page.evaluate(() => ({ sw: navigator.serviceWorker.controller !== null, origin: performance.timeOrigin, ...performance.getEntriesByType('navigation')[0].toJSON() }));
      if (!nav.sw) throw new Error('The service worker did not control the reload: the cold start would not be measured with a warm service worker');
      runs.push({ chartDrawn: m.chartDrawn, chartData: m.chartData, dbReady: m.dbReady ?? NaN, ...await workerTimes(page, nav.origin) });
    }
    // The first reload after seeding also pays for the worker's retention catch-up: leave it out.
    const kept = runs.slice(1);
    const t = (key) => timing(kept.map((r) => r[key]));
    // The breakdown of the median run (by time to the first chart), so its rows add up to its total.
    const median = [...kept].sort((a, b) => a.chartDrawn - b.chartDrawn)[Math.ceil(kept.length / 2) - 1];
    const chain = ['workerStarted', 'sqliteLoad', 'sqliteReady', 'opfsOpened', 'dbReady', 'chartData', 'chartDrawn'];
    const breakdown = Object.fromEntries(chain.map((key, i) => [key, median[key] - (i === 0 ? 0 : median[chain[i - 1]])]));
    const wasm = { viaServiceWorker: kept.filter((r) => r.wasmViaSw).length, runs: kept.length, ...await wasmEvidence(page, ctx) };
    // What the dashboard waits for: its chart queries through Comlink, result copied to the page, once
    // the page has settled after its start.
    await page.waitForTimeout(2000);
    const roundTrip = await page.evaluate(async () => {
      const db = globalThis.__llamaDash.db;
      const list = await db.listEndpoints();
      const llama = list.find((e) => e.kind === 'llama').id;
      const exporter = list.find((e) => e.kind === 'exporter').id;
      const keys = ['prompt_tps', 'gen_tps', 'gen_tps_live', 'llamacpp:requests_processing', 'llamacpp:requests_deferred', 'slots_busy', 'slots_total', 'uptime_s', 'requests_per_min', 'slot_ctx_fill{slot="0"}'];
      const out = {};
      for (const [label, span] of [['10m', 600_000], ['24h', 86_400_000]]) {
        out[label] = [];
        for (let k = 0; k < 41; k++) {
          const to = Date.now();
          const from = to - span;
          const started = performance.now();
          await Promise.all([
            db.history({ endpointId: llama, keys, from, to, points: 1000 }),
            db.events(llama, from, to),
            db.history({ endpointId: exporter, keys: ['cpu_util', 'mem_used_bytes', 'gpu_util{gpu="0"}', 'gpu_mem_used_bytes{gpu="0"}'], from, to, points: 1000 }),
          ]);
          if (k > 0) out[label].push(performance.now() - started);
        }
      }
      return out;
    });
    return {
      'cold.chartDrawn': t('chartDrawn'), 'cold.chartData': t('chartData'), 'cold.dbReady': t('dbReady'),
      'cold.breakdown': breakdown, 'cold.breakdownTotal': median.chartDrawn, 'cold.wasm': wasm, 'cold.dbBytes': seeded,
      'page.query.10m': timing(roundTrip['10m']), 'page.query.24h': timing(roundTrip['24h']),
    };
  } finally {
    await ctx.close();
  }
}

/**
 * The database worker's start marks (src/db/open.ts START_MARKS) on the page's clock: a dedicated worker's
 * performance.timeOrigin is its creation, so worker time + (worker origin - page origin) is page time.
 * Also whether sqlite3.wasm came through the service worker (resource timing's workerStart is set then).
 */
async function workerTimes(page, pageOrigin) {
  const worker = page.workers().filter((w) => /\/assets\/main-[^/]*\.js$/.test(w.url())).pop();
  if (!worker) throw new Error('The database worker was not found: the cold start breakdown needs its marks');
  const w = await worker.evaluate(() => ({
    origin: performance.timeOrigin,
    // The first of each mark: a later open (another tab's hand-over) marks again.
    marks: Object.fromEntries(performance.getEntriesByType('mark').filter((e) => e.name.startsWith('llamadash:')).reverse().map((e) => [e.name, e.startTime])),
    wasm: performance.getEntriesByType('resource').find((e) => /sqlite3-[^/]*\.wasm$/.test(e.name))?.toJSON() ?? null,
  }));
  const shift = w.origin - pageOrigin;
  const at = (name) => (w.marks[`llamadash:${name}`] ?? NaN) + shift;
  return {
    workerStarted: shift, sqliteLoad: at('sqlite-load'), sqliteReady: at('sqlite-ready'), opfsOpened: at('opfs-opened'),
    wasmViaSw: (w.wasm?.workerStart ?? 0) > 0,
  };
}

/**
 * How sqlite3.wasm reaches the compiler on a start with the service worker in control: one more reload,
 * traced (CDP), for the wasm request's response (from the service worker, out of its CacheStorage?) and
 * V8's streaming compilation events, plus the Content-Type the service worker serves it with.
 */
async function wasmEvidence(page, ctx) {
  const cdp = await ctx.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['v8.wasm', 'devtools.timeline'] }, transferMode: 'ReportEvents' });
  await page.reload();
  await page.waitForFunction(() => globalThis.__benchMarks.chartDrawn, null, { timeout: 30_000 });
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  const wasmUrl = (e) => /sqlite3-[^/]*\.wasm/.test(JSON.stringify(e.args ?? {}));
  const response = events.find((e) => e.name === 'ResourceReceiveResponse' && events.some((x) => x.name === 'ResourceSendRequest' && wasmUrl(x) && x.args.data.requestId === e.args.data.requestId))?.args.data;
  const worker = page.workers().filter((w) => /\/assets\/main-[^/]*\.js$/.test(w.url())).pop();
  const contentType = await worker.evaluate(async () => {
    const url = performance.getEntriesByType('resource').find((e) => /sqlite3-[^/]*\.wasm$/.test(e.name))?.name;
    return url ? (await fetch(url)).headers.get('content-type') : null;
  });
  return {
    fromServiceWorker: response?.fromServiceWorker === true,
    cacheStorage: response?.cacheStorageCacheName ?? null,
    // V8's streaming compile: started on the fetch's promise, fed the bytes as they arrive, finished.
    streaming: ['wasm.StartStreamingCompilation', 'wasm.OnBytesReceived', 'wasm.FinishStreaming'].every((n) => events.some((e) => e.name === n)),
    contentType,
  };
}

function timing(ms) {
  // A run without a figure (a resource the page's timeline did not list) is left out, not sorted as NaN.
  const s = ms.filter(Number.isFinite).sort((a, b) => a - b);
  const rank = (q) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return { median: rank(0.5), p99: rank(0.99), n: s.length };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function vlq(text) {
  const out = [];
  let v = 0;
  let shift = 0;
  for (const ch of text) {
    const d = B64.indexOf(ch);
    v += (d & 31) << shift;
    if (d & 32) shift += 5;
    else { out.push(v & 1 ? -(v >> 1) : v >> 1); v = 0; shift = 0; }
  }
  return out;
}

/** The bytes of a built chunk per origin (npm package, or src/ folder two levels deep), from its source map. */
function attribute(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
  const parts = new Map();
  let src = 0;
  map.mappings.split(';').forEach((line, li) => {
    const text = lines[li] ?? '';
    const segs = [];
    let col = 0;
    for (const seg of line ? line.split(',') : []) {
      const v = vlq(seg);
      col += v[0];
      if (v.length > 1) src += v[1];
      segs.push([col, v.length > 1 ? src : -1]);
    }
    segs.forEach(([c, s], i) => {
      const name = s < 0 ? '(bundler runtime)' : map.sources[s];
      const pkg = name.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
      const group = pkg ? pkg[1] : name.replace(/^(\.\.\/)+/, '').replace(/^(src\/[^/]+(?:\/[^/.]+)?)\/.*$/, '$1');
      parts.set(group, (parts.get(group) ?? '') + text.slice(c, i + 1 < segs.length ? segs[i + 1][0] : text.length));
    });
  });
  return [...parts].map(([group, text]) => ({ group, gzip: gzipSync(text, { level: 9 }).length })).sort((a, b) => b.gzip - a.gzip);
}

// ---- bundle: what the built app ships, gzip (zlib level 9), without sqlite3.wasm ----
function bundle() {
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  const app = join(dist, 'app');
  walk(app);
  const sizes = { pageJs: 0, workerJs: 0, appJs: 0, unusedSqliteJs: 0, swJs: 0, css: 0, parts: {} };
  for (const f of files) {
    const rel = relative(app, f);
    const ext = extname(f);
    if (ext !== '.js' && ext !== '.css') continue;
    if (rel.startsWith(`exporter${sep}`)) continue;
    const gz = gzipSync(readFileSync(f), { level: 9 }).length;
    if (ext === '.css') sizes.css += gz;
    else if (/^(sw|workbox-[^/]*|registerSW)\.js$/.test(rel)) sizes.swJs += gz;
    // Emitted by sqlite-wasm for its Worker1 API and the plain "opfs" VFS; the app uses neither.
    else if (/sqlite3-(worker1|opfs-async-proxy)/.test(rel)) sizes.unusedSqliteJs += gz;
    else {
      if (/^assets[/\\]main-/.test(rel)) sizes.workerJs += gz;
      else sizes.pageJs += gz;
      if (existsSync(`${f}.map`)) sizes.parts[rel] = attribute(f);
    }
  }
  sizes.appJs = sizes.pageJs + sizes.workerJs;
  const worker = Object.keys(sizes.parts).find((rel) => /^assets[/\\]main-/.test(rel));
  sizes.sqliteJsInWorker = sizes.parts[worker]?.find((p) => p.group === '@sqlite.org/sqlite-wasm')?.gzip;
  // The engine is sqlite3.wasm plus the JS glue that loads it: the budget leaves the wasm out, so
  // the glue is reported beside it rather than as app code.
  sizes.appJsWithoutEngine = sizes.appJs - (sizes.sqliteJsInWorker ?? 0);
  // What the dashboard's first paint loads: index.html's entry script and its modulepreloads.
  const html = readFileSync(join(app, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/<(?:script type="module"[^>]*src|link rel="modulepreload"[^>]*href)="\.\/([^"]+)"/g)].map((m) => m[1]);
  sizes.initialPageJs = initial.reduce((sum, rel) => sum + gzipSync(readFileSync(join(app, rel)), { level: 9 }).length, 0);
  sizes.lazyPageJs = sizes.pageJs - sizes.initialPageJs;
  return sizes;
}
const sizes = bundle();

// ---- table ----
const ms = (v) => (v === undefined || Number.isNaN(v) ? '-' : v < 10 ? `${v.toFixed(3)} ms` : `${v.toFixed(1)} ms`);
const med = (o) => (typeof o === 'object' ? o.median : undefined);
const rows = [];
/**
 * A row: label, browser figure, native figure, budget check on the browser figure, ratio check. The ratio
 * is always one of times (browser time / native time), so for a rate it is native / browser.
 */
function row(label, b, n, fmt, budget, ratioBudget, rate = false) {
  const ratio = b !== undefined && n !== undefined ? (rate ? n / b : b / n) : undefined;
  const verdict = budget && b !== undefined ? (budget.ok(b) ? 'PASS' : 'MISS') : '';
  const rv = ratioBudget && ratio !== undefined ? (ratio <= ratioBudget ? 'PASS' : 'MISS') : '';
  rows.push({ label, browser: fmt(b), native: n === undefined ? '' : fmt(n), ratio: ratio === undefined ? '' : `${ratio.toFixed(1)}x ${rv}`.trim(), budget: budget ? `${budget.text} ${verdict}` : '', verdictBudget: verdict, verdictRatio: rv });
}
const lt = (limit, unit = ' ms') => ({ text: `< ${limit}${unit}`, ok: (v) => v < limit });
const timed = (key, label, budget, ratioBudget) => {
  const b = browser[key];
  const n = native[key];
  row(`${label} (median)`, med(b), med(n), ms, budget, ratioBudget);
  row(`${label} (p99)`, b?.p99, n?.p99, ms);
};
const kB = (v) => (v === undefined ? '-' : `${(v / 1000).toFixed(1)} kB`);
const MB = (v) => (v === undefined ? '-' : `${(v / 1e6).toFixed(2)} MB`);
const count = (v) => (v === undefined ? '-' : v.toFixed(1));
const per = (unit, digits = 0) => (v) => (v === undefined ? '-' : `${v.toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}`);

timed('tick.1', 'tick stored, 1 server + exporter (40 samples)', lt(1), 2);
timed('tick.1.fresh', 'tick stored, 1 server + exporter, fresh DB', undefined);
row('same, in-memory DB (sqlite-wasm without OPFS) (median)', med(browser['tick.1.memory']), undefined, ms);
// The storage's share: opfs-sahpool's calls on OPFS sync access handles, mean per fresh-DB tick.
row('  OPFS writes per tick (WAL frame header + page each)', browser['tick.1.opfs.write.calls'], undefined, count);
row('  time in OPFS writes per tick (mean)', browser['tick.1.opfs.write.ms'], undefined, ms);
timed('commit', 'commit of one small row (the floor under a tick)');
row('same, in-memory DB (median)', med(browser['commit.memory']), undefined, ms);
timed('tick.10', 'tick stored, 10 servers + exporters (400 samples)', undefined, 3);
timed('tick.50', 'tick stored, 50 servers + exporters (2000 samples)', lt(5), 3);
row('bulk insert (1 h of 1 server + exporter per tx)', browser['bulk.rowsPerS'], native['bulk.rowsPerS'], per('rows/s'), undefined, undefined, true);
row('bulk insert, samples', browser['bulk.samplesPerS'], native['bulk.samplesPerS'], per('samples/s'), undefined, undefined, true);
timed('query.10m', `query 10 min (${browser['query.10m.tier']}, ${browser['query.10m.points']} pts)`, lt(10), 3);
timed('query.24h', `query 24 h (${browser['query.24h.tier']}, ${browser['query.24h.points']} pts)`, lt(30), 3);
timed('query.7d', `query 7 d (${browser['query.7d.tier']}, ${browser['query.7d.points']} pts)`, lt(30), 3);
timed('hot.query.10m', 'query 10 min from the worker\'s hot window (no SQLite)', lt(1), 3);
timed('hot.query.1h', 'query 1 h from the worker\'s hot window (no SQLite)', lt(2), 3);
row('  hot window fill from SQLite, 1 server + exporter, 10 min view', browser['hot.fill.10m'], native['hot.fill.10m'], ms);
row('  hot window bytes per endpoint (server, 1 h at 1 s)', browser['hot.bytesPerEndpoint'], native['hot.bytesPerEndpoint'], kB);
timed('prune', 'prune pass, 7 d held (1 min rolled + pruned)', lt(10));
timed('models.list100', 'models: list 100 configurations', lt(5));
timed('models.save', 'models: save one configuration', undefined);
row('query 10 min from the page, through Comlink, hot window (median)', med(cold['page.query.10m']), undefined, ms, lt(2));
row('query 10 min from the page, through Comlink (p99)', cold['page.query.10m']?.p99, undefined, ms);
row('query 24 h from the page, through Comlink (median)', med(cold['page.query.24h']), undefined, ms, lt(30));
row('query 24 h from the page, through Comlink (p99)', cold['page.query.24h']?.p99, undefined, ms);
row('page<->worker messages per poll tick, 1 server', cold['messages.1'], undefined, count);
row('page<->worker messages per poll tick, 4 servers', cold['messages.4'], undefined, count);
row('page<->worker messages per poll tick, 10 servers', cold['messages.10'], undefined, count);
row('  same, 10 servers, in a second tab (it follows the first)', cold['messages.10.follower'], undefined, count);
const pct = (v) => (v === undefined ? '-' : `${v.toFixed(1)} %`);
const le = (limit, unit) => ({ text: `<= ${limit}${unit}`, ok: (v) => v <= limit });
const hiddenNote = (id) => (cold[`watch.${id}.hiddenState`] === 'hidden' ? '' : ` (the page stayed ${cold[`watch.${id}.hiddenState`]}: not measured)`);
row('watching, no endpoint, tab visible (% of one core, whole browser)', cold['watch.0.visible'], undefined, pct);
row(`watching, no endpoint, tab hidden${hiddenNote('0')}`, cold['watch.0.hidden'], undefined, pct);
// What watching adds to the same browser with the same tab state and no endpoint: hidden, that browser
// still draws the tab put in front, which no dashboard can take off.
const added = (id, state) => (cold[`watch.${id}.${state}`] === undefined || cold[`watch.0.${state}`] === undefined ? undefined : cold[`watch.${id}.${state}`] - cold[`watch.0.${state}`]);
for (const [id, label] of [['1+exporter', '1 idle server + its exporter'], ['1+exporter-llama', '1 idle server + its exporter watching it (--llama)']]) {
  row(`watching ${label} at 1 s, tab visible`, cold[`watch.${id}.visible`], undefined, pct, le(3, ' %'));
  row('  added to the same browser watching no endpoint', added(id, 'visible'), undefined, pct);
  row(`watching ${label} at 1 s, tab hidden${hiddenNote(id)}`, cold[`watch.${id}.hidden`], undefined, pct);
  row('  added to the same browser watching no endpoint, hidden', added(id, 'hidden'), undefined, pct, lt(1, ' %'));
}
row('watching 10 idle servers at 1 s, tab visible', cold['watch.10.visible'], undefined, pct, le(10, ' %'));
row('  added to the same browser watching no endpoint', added('10', 'visible'), undefined, pct);
row(`watching 10 idle servers at 1 s, tab hidden${hiddenNote('10')}`, cold['watch.10.hidden'], undefined, pct);
row('  added to the same browser watching no endpoint, hidden', added('10', 'hidden'), undefined, pct);
// Wake-ups of every browser thread (voluntary context switches, as powertop counts them): what a laptop's
// idle cost follows, and steadier between runs than the CPU figure on a small VM.
const wakes = per('/s');
for (const [id, label] of [['0', 'no endpoint'], ['1+exporter', '1 idle server + its exporter'], ['1+exporter-llama', '1 idle server + its exporter watching it'], ['10', '10 idle servers']]) {
  row(`wake-ups of the browser's threads, ${label}, tab visible / hidden`, cold[`watch.${id}.visibleWakes`], undefined,
    (v) => `${wakes(v)} / ${wakes(cold[`watch.${id}.hiddenWakes`])}`);
}
row('cold start to first chart drawn (median)', med(cold['cold.chartDrawn']), undefined, ms, lt(500));
row('cold start to first chart drawn (p99)', cold['cold.chartDrawn']?.p99, undefined, ms);
row('cold start to database ready (median)', med(cold['cold.dbReady']), undefined, ms, lt(300));
// One clock: the page's (navigation start = 0); the worker's marks are moved onto it by the difference of
// the two performance.timeOrigin. Each row runs from the end of the row above, so the rows add up.
const bd = cold['cold.breakdown'] ?? {};
row(`  breakdown of the median run (${ms(cold['cold.breakdownTotal'])} to the chart), each from the end of the row above:`, undefined, undefined, () => '');
row('    1 page script: navigation to the DB worker created (HTML, entry script, its run)', bd.workerStarted, undefined, ms);
row('    2 worker script: fetched, parsed and run to its first line of work', bd.sqliteLoad, undefined, ms);
row('    3 wasm compile: sqlite3.wasm fetched, compiled, instantiated, initialised', bd.sqliteReady, undefined, ms);
row('    4 OPFS open: owner lock, sahpool VFS, database file opened (WAL)', bd.opfsOpened, undefined, ms);
row('    5 database ready in the page (schema check, status to the page, render)', bd.dbReady, undefined, ms);
row('    6 first query: the charts\' history queries until their data is in the page', bd.chartData, undefined, ms);
row('    7 first draw: chart data to the next painted frame', bd.chartDrawn, undefined, ms);
const wv = cold['cold.wasm'];
const yes = (v) => (v ? 'yes' : 'NO');
row('  sqlite3.wasm through the service worker (resource timing workerStart)', wv?.viaServiceWorker, undefined, (v) => (v === undefined ? '-' : `${v} of ${wv.runs} runs`));
row('  sqlite3.wasm from CacheStorage, compiled streaming (traced reload)', wv ? 1 : undefined, undefined,
  () => (wv ? `${yes(wv.fromServiceWorker && wv.cacheStorage)} / ${yes(wv.streaming)}` : '-'), { text: 'yes / yes', ok: () => Boolean(wv?.fromServiceWorker && wv.cacheStorage && wv.streaming) });
row('  sqlite3.wasm Content-Type from the service worker', wv ? 1 : undefined, undefined, () => wv?.contentType ?? '-', { text: 'application/wasm', ok: () => wv?.contentType === 'application/wasm' });
row('  fresh worker: sqlite-wasm load and init (benchmark page, no service worker)', browser['startup.sqliteInit'], undefined, ms);
row('  fresh worker: OPFS pool install and open (benchmark page)', browser['startup.opfsOpen'], undefined, ms);
row('bytes per raw sample at rest', browser['size.bytesPerSample'], native['size.bytesPerSample'], per('B', 2), { text: '<= 12 B', ok: (v) => v <= 12 });
row('DB file after 24 h (2 h raw + rollups)', browser['size.24h.file'], native['size.24h.file'], MB);
row('DB file after 7 d', browser['size7d.file'], native['size7d.file'], MB);
// The companion exporter's memory for one watched llama-server (its columnar ring), measured in Node by its own script.
const exporterMemory = want('exporter') ? run(process.execPath, ['--expose-gc', 'scripts/measure-exporter-llama-memory.mjs'], 'exporter memory per watched llama-server', { capture: true }) : '';
const ringMiB = Number(/llama-server, \d+ slots: .*?ring ([\d.]+) MiB/.exec(exporterMemory)?.[1]);
row('exporter memory per watched llama-server (4 slots, 24 h at 1 s)', Number.isFinite(ringMiB) ? ringMiB * 2 ** 20 : undefined, undefined, MB, { text: '<= 32 MB', ok: (v) => v <= 32e6 });
row('app JS without the sqlite-wasm engine, gzip', sizes.appJsWithoutEngine, undefined, kB, { text: '< 150 kB', ok: (v) => v < 150_000 });
row('all JS shipped (page + worker + engine glue), gzip', sizes.appJs, undefined, kB);
row('  of which page chunks for the dashboard\'s first paint', sizes.initialPageJs, undefined, kB);
row('  of which page chunks loaded on demand (Models, Settings)', sizes.lazyPageJs, undefined, kB);
row('  of which DB worker (incl. sqlite-wasm JS glue)', sizes.workerJs, undefined, kB);
row('    of which sqlite-wasm JS glue (gzip on its own)', sizes.sqliteJsInWorker, undefined, kB);
const pageParts = new Map();
for (const [rel, parts] of Object.entries(sizes.parts)) if (!/^assets[/\\]main-/.test(rel)) for (const p of parts) pageParts.set(p.group, (pageParts.get(p.group) ?? 0) + p.gzip);
row('sqlite-wasm JS the app never loads (emitted, not precached)', sizes.unusedSqliteJs, undefined, kB);
row('service worker JS, gzip', sizes.swJs, undefined, kB);
row('CSS shipped, gzip', sizes.css, undefined, kB);

const head = { label: 'figure', browser: 'browser', native: 'native', ratio: 'browser/native (time)', budget: 'budget' };
const cols = Object.keys(head);
const width = Object.fromEntries(cols.map((c) => [c, Math.max(head[c].length, ...rows.map((r) => r[c].length))]));
const line = (r) => cols.map((c) => (c === 'label' ? r[c].padEnd(width[c]) : r[c].padStart(width[c]))).join('  ');
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${load.map((l) => l.toFixed(1)).join(' -> ')}`;
console.log(`Llama Dashboard benchmark: Chromium ${browser.chromium} (sqlite ${browser.sqliteVersion}, ${browser.storage}, ${browser.journalMode}) vs better-sqlite3 (sqlite ${native.sqliteVersion}), Node ${process.version}`);
console.log(`Machine: ${machine}`);
console.log(`Page size: browser ${browser.pageSize} B, native ${native.pageSize} B${browser.pageSize === native.pageSize ? '' : ' (DIFFERENT: the two sides do not write the same pages)'}`);
console.log(line(head));
console.log(cols.map((c) => '-'.repeat(width[c])).join('  '));
for (const r of rows) console.log(line(r));
console.log(`Page JS by origin, kB gzip each on its own: ${[...pageParts].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([g, v]) => `${g} ${(v / 1000).toFixed(1)}`).join(', ')}`);
const misses = rows.filter((r) => r.verdictBudget === 'MISS' || r.verdictRatio === 'MISS').map((r) => r.label);
console.log(misses.length ? `MISS: ${misses.join('; ')}` : 'All budgets PASS');

writeFileSync(join(bench, 'results.json'), `${JSON.stringify({
  date: new Date().toISOString(), machine, node: process.version, browser, native, cold, bundle: sizes, table: rows,
}, null, 2)}\n`);
log('Wrote bench/results.json');
