#!/usr/bin/env node
// The cost of leaving the dashboard open: CPU of the whole headless Chromium (every process of its
// profile, from /proc/<pid>/stat) while the built app watches 0, 1 and 10 stand-in llama-servers at 1 s,
// with its tab visible and hidden (its window minimized). `npm run bench` reports it; on its
// own: node bench/watch-cost.mjs [seconds per window, default 30] after `npm run build:test` (dist-test/).
// Ports 4291 (app, standalone only), 18300-18309 (stand-ins).
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startStandIn } from '../tests/fixtures/llama-stand-in.mjs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const HZ = 100;

/** CPU seconds used so far by every process whose command line names `marker` (the profile folder). */
function cpuSeconds(marker) {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // The process ended between listing and reading: its time is gone with it.
    }
  }
  return ticks / HZ;
}

async function window(marker, seconds) {
  const cpu = cpuSeconds(marker);
  const t = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return (100 * (cpuSeconds(marker) - cpu)) / ((performance.now() - t) / 1000);
}

/**
 * Percent of one core used by the browser for each case. `launch(dir)` starts a persistent context in
 * profile folder `dir`; `appUrl` is the built app's address.
 */
export async function measureWatchCost({ launch, appUrl, seconds = 30 }) {
  const results = [];
  for (const n of [0, 1, 10]) {
    const servers = await Promise.all(Array.from({ length: n }, (_, i) => startStandIn({ port: 18300 + i, traffic: 'idle', slots: 1 })));
    const dir = mkdtempSync(join(tmpdir(), 'llama-dash-watch-'));
    const context = await launch(dir);
    try {
      const page = context.pages()[0] ?? await context.newPage();
      const query = servers.map((s) => `server=${encodeURIComponent(s.url)}`).join('&');
      await page.goto(`${appUrl}?${query}#/dashboard`);
      if (n > 0) await page.getByTestId('endpoint-card').nth(n - 1).waitFor();
      await page.waitForTimeout(3000);
      const visible = await window(dir, seconds);
      // A background tab stays 'visible' in headless Chromium; a minimized window may not.
      const cdp = await context.newCDPSession(page);
      const { windowId } = await cdp.send('Browser.getWindowForTarget');
      await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'minimized' } });
      const state = await page.evaluate(() => document.visibilityState);
      await page.waitForTimeout(1000);
      // Headless Chromium may keep the page 'visible' even so: then there is no hidden figure to give.
      const hidden = state === 'hidden' ? await window(dir, seconds) : undefined;
      results.push({ servers: n, visible, hidden, hiddenState: state });
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
      await Promise.all(servers.map((s) => s.close()));
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { chromium } = await import('@playwright/test');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const appPort = 4291;
  const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
  const preview = spawn(process.execPath, [`${root}node_modules/vite/bin/vite.js`, 'preview', '--outDir', 'dist-test', '--host', '127.0.0.1', '--port', String(appPort), '--strictPort'], { cwd: root, stdio: 'ignore' });
  let results;
  try {
    for (let tries = 0; ; tries++) {
      try {
        await fetch(`http://127.0.0.1:${appPort}/`);
        break;
      } catch (e) {
        if (tries > 100) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const launch = (dir) => chromium.launchPersistentContext(dir, { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args, headless: true });
    results = await measureWatchCost({ launch, appUrl: `http://127.0.0.1:${appPort}/`, seconds: Number(process.argv[2] ?? 30) });
  } finally {
    preview.kill();
  }
  console.log('servers  visible (% of a core)  hidden (% of a core)  tab state when hidden');
  for (const r of results) console.log(`${String(r.servers).padStart(7)}  ${r.visible.toFixed(1).padStart(21)}  ${(r.hidden?.toFixed(1) ?? '-').padStart(20)}  ${r.hiddenState}`);
}
