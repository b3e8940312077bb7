#!/usr/bin/env node
// The cost of leaving the dashboard open: CPU of the whole headless Chromium (every process and thread of
// its profile, from /proc) while the built app watches stand-in llama-servers (and the real exporter, with
// the stand-in nvidia-smi) at 1 s, with its tab visible and hidden. `npm run bench` reports it; on its own:
// node bench/watch-cost.mjs [seconds per window, default 30] [case ids, e.g. 0,1+exporter] after
// `npm run build:test` (dist-test/).
//
// Chromium is started here, not by Playwright, and nothing is attached to it while a window is measured:
// a DevTools client makes the browser report every request to it (and Playwright's focus emulation keeps
// the pages it drives 'visible'). Playwright connects only between windows, with its defaults off, to
// wait for the cards and to read the page's document.visibilityState. Hidden is a second tab opened in
// front of the dashboard in the same window (DevTools' HTTP /json/new), as a user switching tabs does.
// No throttling switches are passed, so a hidden tab is throttled as a user's is.
// Ports 4291 (app, standalone only), 18300-18309 (stand-ins), 18310 (exporter).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startStandIn } from '../tests/fixtures/llama-stand-in.mjs';
import { BENCH_CHROMIUM_ARGS, startPreview } from './preview.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const HZ = 100;
const EXPORTER_PORT = 18310;

/** The cases measured: each is watched visible, then hidden. */
export const WATCH_CASES = [
  { id: '0', servers: 0, exporter: false, label: 'no endpoint' },
  { id: '1+exporter', servers: 1, exporter: true, label: '1 idle server + its exporter' },
  // The exporter started with --llama on the same server: idle ticks take its /metrics from the stream.
  { id: '1+exporter-llama', servers: 1, exporter: true, watchLlama: true, label: '1 idle server + its exporter watching it' },
  { id: '10', servers: 10, exporter: false, label: '10 idle servers' },
];

function ticksOf(statPath) {
  const stat = readFileSync(statPath, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** Times a thread went to sleep and was woken (its voluntary context switches): wake-ups, as powertop counts them. */
function wakesOf(statusPath) {
  return Number(/\nvoluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(statusPath, 'utf8'))?.[1] ?? 0);
}

/**
 * CPU ticks used so far by every thread of every process whose command line names `marker` (the profile
 * folder), keyed "process type / thread name", so a window can say where the time went; and the wake-ups
 * of all those threads. On a small VM the CPU figure moves by a percent between windows (a wake-up costs
 * ~2.5 ms of CPU there, a bare 1 s Node timer 2.5 ms/s); the count of wake-ups holds still.
 */
function cpuTicks(marker) {
  const by = new Map();
  by.wakes = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes(marker)) continue;
      const type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
      const sub = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1];
      const proc = sub ? `utility:${sub.replace(/\.mojom\.\w+$/, '')}` : type;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        try {
          const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '');
          const key = `${proc} / ${name}`;
          by.set(key, (by.get(key) ?? 0) + ticksOf(`/proc/${pid}/task/${tid}/stat`));
          by.wakes += wakesOf(`/proc/${pid}/task/${tid}/status`);
        } catch {
          // The thread ended between listing and reading.
        }
      }
    } catch {
      // The process ended between listing and reading: its time is gone with it.
    }
  }
  return by;
}

/** Percent of one core over `seconds`, in total and per "process / thread" (largest first). */
async function window(marker, seconds) {
  const before = cpuTicks(marker);
  const t = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = cpuTicks(marker);
  const wall = (performance.now() - t) / 1000;
  const parts = [...after].map(([k, v]) => [k, (100 * (v - (before.get(k) ?? 0))) / HZ / wall]).filter(([, v]) => v > 0);
  parts.sort((a, b) => b[1] - a[1]);
  return { total: parts.reduce((s, [, v]) => s + v, 0), parts, wakes: (after.wakes - before.wakes) / wall };
}

/** The built exporter with the stand-in nvidia-smi (one GPU) first on its PATH, watching the llama-servers at `llama`. */
async function startExporter(file, llama = []) {
  const dir = mkdtempSync(join(tmpdir(), 'llama-dash-watch-gpu-'));
  const control = join(dir, 'control.json');
  writeFileSync(control, JSON.stringify({ mode: 'ok', gpus: 1, util: 0 }));
  const env = { PATH: `${join(root, 'tests/fixtures/fake-nvidia-smi')}:/usr/local/bin:/usr/bin:/bin`, FAKE_NVSMI_CONTROL: control, FAKE_NVSMI_LOG: join(dir, 'starts.log') };
  const child = spawn(process.execPath, [file, '--port', String(EXPORTER_PORT), ...llama.flatMap((u) => ['--llama', u])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const end = Date.now() + 10_000;
  while (!out.includes('listening on')) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`The exporter did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${EXPORTER_PORT}`,
    close: () => new Promise((resolve) => {
      child.once('exit', () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      });
      child.kill('SIGTERM');
    }),
  };
}

/** Chromium on profile `dir`, its DevTools port read back from the profile (port 0 picks a free one). */
async function startChromium(executablePath, args, dir, url) {
  const child = spawn(executablePath, [...args, '--window-size=1280,900', '--remote-debugging-port=0', `--user-data-dir=${dir}`, url], { stdio: 'ignore' });
  const file = join(dir, 'DevToolsActivePort');
  const end = Date.now() + 20_000;
  while (!existsSync(file) || !readFileSync(file, 'utf8').includes('\n')) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`Chromium did not open its DevTools port (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return { child, endpoint: `http://127.0.0.1:${port}` };
}

/**
 * Percent of one core used by the browser for each case, visible then hidden, with the largest parts.
 * `appUrl` is the built app's address, `exporterFile` the built exporter.
 */
export async function measureWatchCost({ chromium, executablePath, args, appUrl, exporterFile, seconds = 30, cases = WATCH_CASES, log = () => {} }) {
  const results = [];
  for (const c of cases) {
    const servers = await Promise.all(Array.from({ length: c.servers }, (_, i) => startStandIn({ port: 18300 + i, traffic: 'idle', slots: 1 })));
    const exporter = c.exporter ? await startExporter(exporterFile, c.watchLlama ? servers.map((s) => s.url) : []) : null;
    const dir = mkdtempSync(join(tmpdir(), 'llama-dash-watch-'));
    const query = [...servers.map((s) => `server=${encodeURIComponent(s.url)}`), ...(exporter ? [`exporter=${encodeURIComponent(exporter.url)}`] : [])].join('&');
    const { child, endpoint } = await startChromium(executablePath, args, dir, `${appUrl}?${query}#/dashboard`);
    /** Runs `fn` on the dashboard's page over a DevTools connection that is closed again after it. */
    const onPage = async (fn) => {
      const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
      try {
        const page = browser.contexts()[0].pages().find((p) => p.url().startsWith(appUrl));
        if (!page) throw new Error('The dashboard\'s tab is gone');
        return await fn(page);
      } finally {
        await browser.close();
      }
    };
    const settle = () => new Promise((r) => setTimeout(r, 3000));
    try {
      const ready = async (page) => {
        if (c.servers > 0) await page.getByTestId('endpoint-card').nth(c.servers - 1).waitFor({ timeout: 60_000 });
        if (exporter) await page.locator('[data-testid=exporter-panel] [data-testid=status-badge][data-state=ok]').waitFor({ timeout: 60_000 });
      };
      // Measured as a returning user has it: opened again once its service worker is installed, so the
      // page and the database worker are controlled by it (every request they make reaches it).
      const controlled = await onPage(async (page) => {
        await ready(page);
        await page.evaluate(() => navigator.serviceWorker.ready);
        await page.reload();
        await ready(page);
        await page.waitForTimeout(5000);
        return page.evaluate(() => navigator.serviceWorker.controller !== null);
      });
      if (!controlled) throw new Error('The reopened dashboard is not controlled by its service worker');
      const visibleState = await onPage((page) => page.evaluate(() => document.visibilityState));
      await settle();
      /** Requests the stand-ins answered so far (the exporter's are not counted). */
      const hits = () => servers.reduce((n, s) => n + Object.values(s.state().hits).reduce((a, b) => a + b, 0), 0);
      const hits0 = hits();
      const visible = await window(dir, seconds);
      const perSecond = (hits() - hits0) / seconds;
      // Another tab in front of the dashboard's, in the same window: the dashboard's tab is hidden.
      const opened = await fetch(`${endpoint}/json/new?about:blank`, { method: 'PUT' });
      if (!opened.ok) throw new Error(`Chromium did not open a second tab: HTTP ${opened.status}`);
      await settle();
      const hiddenState = await onPage((page) => page.evaluate(() => document.visibilityState));
      await settle();
      const hidden = hiddenState === 'hidden' ? await window(dir, seconds) : undefined;
      // Still hidden at the end of the window, or the figure is not a hidden tab's.
      const hiddenAfter = await onPage((page) => page.evaluate(() => document.visibilityState));
      const stillHidden = hiddenAfter === 'hidden';
      results.push({
        ...c, visible: visible.total, hidden: stillHidden ? hidden?.total : undefined, visibleState, hiddenState: hiddenAfter,
        visibleParts: visible.parts, hiddenParts: hidden?.parts ?? [], visibleWakes: visible.wakes, hiddenWakes: stillHidden ? hidden?.wakes : undefined,
      });
      const top = (parts) => parts.slice(0, 10).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
      log(`  ${c.label}: visible ${visible.total.toFixed(2)} %, ${visible.wakes.toFixed(0)} wake-ups/s (${top(visible.parts)}); the stand-ins answered ${perSecond.toFixed(1)} requests/s${c.watchLlama ? ', the exporter\'s included' : ''}`);
      log(`  ${c.label}: hidden ${hidden && stillHidden ? `${hidden.total.toFixed(2)} %, ${hidden.wakes.toFixed(0)} wake-ups/s (${top(hidden.parts)})` : `not measured, the page was ${hiddenState} then ${hiddenAfter}`}`);
    } finally {
      child.kill();
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      // Its helper processes end a moment after it and may still write to the profile.
      for (let k = 0; k < 50 && cpuTicks(dir).size > 0; k++) await new Promise((r) => setTimeout(r, 100));
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      await exporter?.close();
      await Promise.all(servers.map((s) => s.close()));
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { chromium } = await import('@playwright/test');
  const appPort = 4291;
  const exporterFile = join(root, 'dist-test/exporter/llama-dash-exporter.mjs');
  if (!existsSync(join(root, 'dist-test/index.html')) || !existsSync(exporterFile)) {
    console.error('Build first: npm run build:test (the app and the exporter in dist-test/).');
    process.exit(1);
  }
  const preview = await startPreview(root, 'dist-test', appPort);
  let results;
  try {
    results = await measureWatchCost({
      chromium, executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: BENCH_CHROMIUM_ARGS, appUrl: `http://127.0.0.1:${appPort}/`,
      exporterFile, seconds: Number(process.argv[2] ?? 30), log: (s) => console.error(s),
      cases: process.argv[3] ? WATCH_CASES.filter((c) => process.argv[3].split(',').includes(c.id)) : WATCH_CASES,
    });
  } finally {
    preview.kill();
  }
  console.log('case                          visible (% of a core, wake-ups/s)  hidden (% of a core, wake-ups/s)');
  const both = (pct, wakes) => (pct === undefined ? '-' : `${pct.toFixed(2)} %, ${wakes.toFixed(0)}/s`);
  for (const r of results) console.log(`${r.label.padEnd(28)}  ${both(r.visible, r.visibleWakes).padStart(33)}  ${(r.hidden === undefined ? `- (${r.hiddenState})` : both(r.hidden, r.hiddenWakes)).padStart(32)}`);
}
