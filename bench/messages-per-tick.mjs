#!/usr/bin/env node
// Page <-> worker messages per poll tick on the live dashboard, for 1, 4 and 10 endpoints: the built app (dist/,
// from `npx vite build`) in headless Chromium, polling stand-in llama-servers (tests/fixtures) every second.
// Counts every postMessage the page sends to its worker (or a Comlink port) and every message it receives,
// in the tab that owns the database and in a second tab that follows it.
// `npm run bench` (bench/run.mjs) reports it; on its own: node bench/messages-per-tick.mjs [seconds per run,
// default 10] after `npx vite build`. Port 4290 (app, standalone only); the stand-ins take free ports.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startStandIn } from '../tests/fixtures/llama-stand-in.mjs';
import { BENCH_CHROMIUM_ARGS, startPreview } from './preview.mjs';

function counter() {
  const count = { sent: 0, received: 0 };
  for (const C of [Worker, MessagePort]) {
    const post = C.prototype.postMessage;
    C.prototype.postMessage = function (...a) {
      count.sent++;
      return post.apply(this, a);
    };
    const add = C.prototype.addEventListener;
    C.prototype.addEventListener = function (type, fn, ...rest) {
      if (type !== 'message') return add.call(this, type, fn, ...rest);
      const wrapped = function (e) {
        count.received++;
        return typeof fn === 'function' ? fn.call(this, e) : fn.handleEvent(e);
      };
      return add.call(this, type, wrapped, ...rest);
    };
    const on = Object.getOwnPropertyDescriptor(C.prototype, 'onmessage');
    Object.defineProperty(C.prototype, 'onmessage', {
      ...on,
      set(fn) {
        on.set.call(this, fn && function (e) {
          count.received++;
          return fn.call(this, e);
        });
      },
    });
  }
  globalThis.__messages = count;
}

/**
 * Messages per tick with 1, 4 and 10 endpoints, in the owner tab and in a second tab. `newContext()` gives a fresh browser context, `appUrl` the
 * built app's address. Returns one row per endpoint count.
 */
export async function measureMessagesPerTick({ newContext, appUrl, seconds = 10 }) {
  const results = [];
  for (const n of [1, 4, 10]) {
    const servers = await Promise.all(Array.from({ length: n }, () => startStandIn({ port: 0, traffic: 'steady', slots: 2 })));
    const context = await newContext();
    try {
      await context.addInitScript(counter);
      const page = context.pages()[0] ?? await context.newPage();
      const query = servers.map((s) => `server=${encodeURIComponent(s.url)}`).join('&');
      await page.goto(`${appUrl}?${query}#/dashboard`);
      await page.getByTestId('endpoint-card').nth(n - 1).waitFor();
      // A second tab of the same dashboard: it follows, its worker hears the ticks from the first tab's.
      const follower = await context.newPage();
      await follower.goto(`${appUrl}#/dashboard`);
      await follower.getByTestId('endpoint-card').nth(n - 1).waitFor();
      await page.waitForTimeout(3000);
      const count = () => Promise.all([page, follower].map((p) => p.evaluate(() => ({ ...globalThis.__messages }))));
      const before = await count();
      for (const s of servers) s.control({ resetHits: true });
      await page.waitForTimeout(seconds * 1000);
      const after = await count();
      // A tick is one poll round of every endpoint: the /metrics requests of the busiest server.
      const ticks = Math.max(...servers.map((s) => s.state().log.filter((r) => r.path === '/metrics').length));
      const [sent, received, followerMessages] = [
        after[0].sent - before[0].sent, after[0].received - before[0].received,
        after[1].sent + after[1].received - before[1].sent - before[1].received,
      ];
      results.push({
        endpoints: n, ticks, sent, received, perTick: +((sent + received) / ticks).toFixed(2),
        followerPerTick: +(followerMessages / ticks).toFixed(2),
      });
    } finally {
      await context.close();
      await Promise.all(servers.map((s) => s.close()));
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { chromium } = await import('@playwright/test');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const appPort = 4290;
  const preview = await startPreview(root, 'dist', appPort);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: BENCH_CHROMIUM_ARGS });
  let results;
  try {
    results = await measureMessagesPerTick({ newContext: () => browser.newContext(), appUrl: `http://127.0.0.1:${appPort}/`, seconds: Number(process.argv[2] ?? 10) });
  } finally {
    await browser.close();
    preview.kill();
  }
  console.log('endpoints  ticks  page->worker  worker->page  messages/tick  second tab, messages/tick');
  for (const r of results) {
    console.log(`${String(r.endpoints).padStart(9)}  ${String(r.ticks).padStart(5)}  ${String(r.sent).padStart(12)}  ${String(r.received).padStart(12)}  ${String(r.perTick).padStart(13)}  ${String(r.followerPerTick).padStart(25)}`);
  }
}
