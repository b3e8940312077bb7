#!/usr/bin/env node
// `node bench/fleet.mjs [instances]`: how long the Fleet page takes to draw its table after the
// Prometheus answers arrive, with N instances (default 200). A synthetic Prometheus on loopback answers
// every query the page sends (discovery, one vector per column, one matrix for the sparklines) for N
// llama-servers plus N/4 exporters; the built app (dist-test/, `npm run build:test`) runs in headless
// Chromium. The figure is the time from the last answer of a refresh leaving the server to the frame after
// the table holds every row, over several refreshes (the page refreshes every 2 s).
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startStaticServer } from '../tests/fixtures/static-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = process.env.E2E_DIST ?? `${root}dist-test`;
const N = Number(process.argv[2] ?? 200);
const EXPORTERS = Math.ceil(N / 4);
const ROUNDS = 6;
if (!existsSync(`${dist}/index.html`)) {
  process.stderr.write('Build the app first: npm run build:test\n');
  process.exit(1);
}

const llama = Array.from({ length: N }, (_, i) => ({ job: `llama-${i % 10}`, instance: `gpu${i}.lan:8080` }));
const exporters = Array.from({ length: EXPORTERS }, (_, i) => ({ job: 'exporter', instance: `gpu${i}.lan:8642` }));
const now = () => Date.now() / 1000;
const vector = (items) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result: items } });
const sample = (metric, v) => ({ metric, value: [now(), String(v)] });
/** Bumped per refresh so every row's numbers change (an unchanged value is not redrawn). */
let round = 0;

function answer(q, params) {
  if (q.startsWith('max(count_over_time(up')) return vector([sample({}, 60)]);
  if (q.includes('llamadash_kind')) {
    round++;
    return vector([...llama.map((l) => sample({ ...l, llamadash_kind: 'llama' }, 12)), ...exporters.map((e) => sample({ ...e, llamadash_kind: 'exporter' }, 1))]);
  }
  if (params.has('step')) {
    const start = Number(params.get('start'));
    const end = Number(params.get('end'));
    const step = Number(params.get('step'));
    const ts = [];
    for (let t = start; t <= end; t += step) ts.push(t);
    const result = llama.map((l, i) => ({ metric: l, values: ts.filter((_, k) => (k + i) % 17 !== 0).map((t, k) => [t, String(20 + ((i * 7 + k) % 40))]) }));
    return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
  }
  if (q.includes('target')) return vector(llama.filter((_, i) => i % 3 === 0).map((l, i) => sample({ target: l.instance }, (i % 10) / 10)));
  if (q.includes('gpu')) return vector(exporters.map((e, i) => sample(e, (i % 100) / 100)));
  return vector(llama.map((l, i) => sample(l, (i + round) % 50)));
}

const sent = [];
const prom = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const body = url.pathname.startsWith('/api/v1/query') ? answer(url.searchParams.get('query') ?? '', url.searchParams) : '{"status":"success","data":{}}';
  res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
  // The endpoint list's own status check (count(up == 1)) is no part of a fleet refresh.
  const fleetQuery = !(url.searchParams.get('query') ?? '').startsWith('count(up == 1)');
  res.end(body, () => fleetQuery && sent.push(Date.now()));
});
await new Promise((r) => prom.listen(0, '127.0.0.1', r));
const promUrl = `http://127.0.0.1:${prom.address().port}`;
const site = await startStaticServer({ dir: dist, port: 0 });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  // Each time the table's body changes to hold every row, note the wall-clock time of the next frame.
  await page.addInitScript((rows) => {
    window.__drawn = [];
    let watched = null;
    const onTable = () => {
      const body = document.querySelector('[data-testid=fleet-table] tbody');
      if (body && body.children.length >= rows) requestAnimationFrame(() => window.__drawn.push(performance.timeOrigin + performance.now()));
    };
    new MutationObserver(() => {
      const table = document.querySelector('[data-testid=fleet-table]');
      if (!table || table === watched) return;
      watched = table;
      new MutationObserver(onTable).observe(table, { subtree: true, childList: true, characterData: true, attributes: true });
    }).observe(document, { subtree: true, childList: true });
  }, N + EXPORTERS);
  await page.goto(`${site.url}?prometheus=${encodeURIComponent(promUrl)}#/fleet`);
  await page.waitForFunction((n) => window.__drawn.length >= n, ROUNDS, { timeout: 120_000, polling: 200 });
  const drawn = await page.evaluate(() => window.__drawn);
  // Per refresh: the first frame holding every row after that refresh's last answer.
  const figures = [];
  for (const t of drawn) {
    const last = Math.max(...sent.filter((s) => s <= t));
    if (figures.length && figures.at(-1).last === last) continue;
    figures.push({ last, ms: t - last });
  }
  const ms = figures.map((f) => Math.round(f.ms)).slice(0, ROUNDS);
  const sorted = [...ms].sort((a, b) => a - b);
  process.stdout.write(`fleet table, ${N} llama-servers + ${EXPORTERS} exporters: drawn ${ms.join(', ')} ms after the last answer (median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms; budget 300 ms)\n`);
} finally {
  await browser.close();
  await site.close();
  prom.close();
}
