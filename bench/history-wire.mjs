#!/usr/bin/env node
// What one chart answer (10 series x 600 points, as the 10-minute view) costs to cross from a worker to the
// page in headless Chromium: structured-cloned as arrays (before), packed into one transferred buffer and
// unpacked for the charts (src/lib/history-wire.ts, now), and transferred without unpacking (what a page
// taking typed columns would pay). Means over 1000 answers, each mode twice, in the page's main thread and
// in the worker. node bench/history-wire.mjs
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
const wire = (await build({ entryPoints: [new URL('../src/lib/history-wire.ts', import.meta.url).pathname], bundle: true, format: 'iife', globalName: 'W', write: false })).outputFiles[0].text;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'] });
const page = await browser.newPage();
await page.goto('about:blank');
// The page's copy of the wire functions, next to the worker's.
await page.addScriptTag({ content: wire });
const out = await page.evaluate(async (wire) => {
  const src = `${wire}
    const n = 600, keys = 10;
    const make = () => { const ts = [], values = {}; for (let i = 0; i < n; i++) ts.push(1.7e9 + i * 1000.5);
      for (let k = 0; k < keys; k++) { const c = []; for (let i = 0; i < n; i++) c.push(i % 50 === 0 ? null : (i * 7919 % 1000) / 10 + 0.01); values['k' + k] = c; }
      return { ts, values, tier: 'raw' }; };
    let send = 0;
    onmessage = (e) => {
      if (e.data === 'report') { postMessage({ send }); send = 0; return; }
      const r = make(); const t0 = performance.now();
      if (e.data === 'clone') postMessage(r);
      else { const [p, t] = W.historyTransfer.serialize(r); postMessage(p, t); }
      send += performance.now() - t0; };`;
  const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
  let recv = 0;
  const ask = (mode) => new Promise((res) => { w.onmessage = (e) => { const t0 = performance.now(); const r = mode === 'clone' ? e.data : mode === 'transfer' ? globalThis.W.unpackHistory(e.data) : e.data; recv += performance.now() - t0; res(r); }; w.postMessage(mode); });
  const report = () => new Promise((res) => { w.onmessage = (e) => res(e.data.send); w.postMessage('report'); });
  const N = 1000;
  const out = {};
  for (const m of ['clone', 'transfer', 'typed', 'clone', 'transfer', 'typed']) {
    recv = 0;
    await report();
    for (let k = 0; k < N; k++) await ask(m);
    const s = await report();
    out[m] = (out[m] ?? []).concat([`page ${(recv / N * 1000).toFixed(0)} us, worker ${(s / N * 1000).toFixed(0)} us`]);
  }
  return out;
}, wire);
for (const [mode, runs] of Object.entries(out)) console.log(`${mode.padEnd(9)} ${runs.join('; ')}`);
await browser.close();
