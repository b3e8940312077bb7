// Measures what the Requests view's fast /slots reads cost a llama-server, in requests per second: the
// built test app (dist-test/, `npm run build:test`) runs in Debian's Chromium and polls the stand-in
// llama-server (1 s interval) while it serves steady traffic, once with fast reads at 250 ms and once
// with them off; then with the server idle. The stand-in counts every request by method and path.
// Usage: node scripts/measure-request-polling.mjs [--seconds 30]
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';
import { startStandIn } from '../tests/fixtures/llama-stand-in.mjs';

const argv = process.argv.slice(2);
const seconds = Number(argv.includes('--seconds') ? argv[argv.indexOf('--seconds') + 1] : 30);
const APP_PORT = 4183;
const preview = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--outDir', 'dist-test', '--host', '127.0.0.1', '--port', String(APP_PORT), '--strictPort'], { stdio: 'ignore' });
const server = await startStandIn({ port: 18321, traffic: 'steady', slots: 2 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
try {
  for (let i = 0; i < 50; i++) {
    if (await fetch(`http://127.0.0.1:${APP_PORT}/`).then((r) => r.ok, () => false)) break;
    await sleep(200);
  }
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${APP_PORT}/?server=${encodeURIComponent(server.url)}#/requests`);
  await page.getByTestId('db-status').filter({ hasText: 'Database ready' }).waitFor();
  const call = (m, ...a) => page.evaluate(([m, a]) => globalThis.__llamaDash.db[m](...a), [m, a]);

  async function window(label, fastMs, traffic) {
    await call('setRequestSettings', { fastMs });
    server.control({ traffic });
    await sleep(3000);
    server.control({ resetHits: true });
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const hits = server.state().hits;
    const s = (Date.now() - t0) / 1000;
    const per = (k) => ((hits[k] ?? 0) / s).toFixed(2);
    const total = Object.values(hits).reduce((a, b) => a + b, 0) / s;
    console.log(`${label.padEnd(34)} /slots ${per('GET /slots').padStart(5)}/s  /metrics ${per('GET /metrics')}/s  /health ${per('GET /health')}/s  all ${total.toFixed(2)}/s`);
  }
  console.log(`Stand-in llama-server, 2 slots, endpoint polled every 1 s, ${seconds} s per line:`);
  await window('steady traffic, fast reads 250 ms', 250, 'steady');
  await window('steady traffic, fast reads off', 0, 'steady');
  await window('idle server, fast reads 250 ms', 250, 'idle');
  await browser.close();
} finally {
  await server.close();
  preview.kill();
}
