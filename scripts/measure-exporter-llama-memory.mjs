// Measures what the exporter's history rings hold in memory at the defaults (24 h at 1 s = 86,401 rows):
// - per watched llama-server: the keys a real tick of the stand-in with 4 slots gives (lib/llama-tick.ts
//   against tests/fixtures/llama-stand-in.mjs, busy, so the per-slot keys are there), filled for every row;
// - host and GPU (1 GPU, 1 disk), and the same rows as one object per sample (the ring before this one);
// - one page of llama history (3,600 rows) as JSON.
// Byte counts are the typed arrays' sizes; heap figures are process.memoryUsage() deltas after a full GC.
// Usage: node --expose-gc scripts/measure-exporter-llama-memory.mjs [--interval-ms 1000] [--hours 24] [--slots 4]
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name, dflt) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const intervalMs = arg('--interval-ms', 1000);
const hours = arg('--hours', 24);
const slots = arg('--slots', 4);
if (!global.gc) throw new Error('run with node --expose-gc');

const root = new URL('../', import.meta.url).pathname;
const out = path.join(mkdtempSync(path.join(tmpdir(), 'llamadash-measure-')), 'entry.mjs');
await build({
  stdin: {
    contents: `export { ColumnRing, ringCapacity, llamaPrecise } from './exporter/ring.ts';
      export { LlamaTick } from './src/lib/llama-tick.ts';
      export { fetchIo } from './src/lib/http-request.ts';
      export { DEFAULT_LLAMA_LIMIT } from './src/lib/exporter-llama.ts';`,
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning',
});
const { ColumnRing, ringCapacity, llamaPrecise, LlamaTick, fetchIo, DEFAULT_LLAMA_LIMIT } = await import(pathToFileURL(out).href);
const { startStandIn } = await import(pathToFileURL(path.join(root, 'tests/fixtures/llama-stand-in.mjs')).href);

const s = await startStandIn({ port: 0, slots, traffic: 'steady' });
const tick = new LlamaTick({ io: fetchIo({ env: { fetch, pageProtocol: null, pageOrigin: null }, baseUrl: s.url, apiKey: null, timeoutMs: 2000 }), now: Date.now, url: s.url, pageOrigin: null, hasApiKey: false });
s.control({ requests: slots });
const keys = new Set();
for (let i = 0; i < 6; i++) {
  for (const k of Object.keys((await tick.tick()).values)) keys.add(k);
  await new Promise((r) => setTimeout(r, 200));
}
await s.close();
const llamaKeys = [...keys].sort();

const hostKeys = ['cpu_util', 'mem_used_bytes', 'mem_total_bytes', 'load1', 'disk_used_bytes{path="/"}', 'disk_total_bytes{path="/"}',
  ...['gpu_util', 'gpu_mem_util', 'gpu_mem_used_bytes', 'gpu_mem_total_bytes', 'gpu_temp_c', 'gpu_power_w', 'gpu_power_limit_w', 'gpu_fan_pct'].map((k) => `${k}{gpu="0"}`)];
const rows = ringCapacity(hours * 3600_000, intervalMs);
const valuesAt = (ks, i) => Object.fromEntries(ks.map((k, j) => [k, (i * 7 + j) % 97 === 0 ? null : 1e6 + i * 3.25 + j]));

const heap = () => {
  global.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const MiB = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;

function fill(ks, precise) {
  const before = heap();
  const ring = new ColumnRing(rows, precise);
  for (let i = 0; i < rows; i++) ring.push(i * intervalMs, valuesAt(ks, i));
  return { ring, heap: heap() - before };
}

const llama = fill(llamaKeys, llamaPrecise);
const wide = llamaKeys.filter(llamaPrecise).length;
const host = fill(hostKeys, () => true);
const objectsBefore = heap();
const objects = Array.from({ length: rows }, (_, i) => valuesAt(hostKeys, i));
const objectsHeap = heap() - objectsBefore;
const t0 = performance.now();
const pageJson = JSON.stringify(llama.ring.page(0, Infinity, DEFAULT_LLAMA_LIMIT));
const pageMs = performance.now() - t0;

console.log(`rows: ${rows} (${hours} h at ${intervalMs} ms)`);
console.log(`llama-server, ${slots} slots: ${llamaKeys.length} keys (${wide} float64, ${llamaKeys.length - wide} float32): ring ${MiB(llama.ring.bytes)} (${(llama.ring.bytes / rows).toFixed(0)} B/row), heap+buffers delta ${MiB(llama.heap)}`);
console.log(`host + 1 GPU + 1 disk: ${hostKeys.length} keys, float64: ring ${MiB(host.ring.bytes)}, heap+buffers delta ${MiB(host.heap)}; as one object per sample: ${MiB(objectsHeap)}`);
console.log(`one llama history page (${DEFAULT_LLAMA_LIMIT} rows): ${MiB(pageJson.length)} of JSON, built in ${pageMs.toFixed(0)} ms`);
void objects.length;
