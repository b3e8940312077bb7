// Measures the storage core as the app uses it (src/db/*.ts bundled with esbuild, sqlite-wasm
// :memory: in Node): bytes per raw sample, one tick stored, chart queries per tier, a steady-state
// retention pass. Usage: node scripts/measure-storage.mjs [days=7]
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}node_modules/.cache/measure-storage/bundle.mjs`;
await build({
  stdin: {
    contents: "export * from './src/db/schema.ts'; export * from './src/db/endpoints.ts'; export * from './src/db/metrics.ts'; export * from './src/db/backup.ts';",
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', outfile, external: ['@sqlite.org/sqlite-wasm'], logLevel: 'error',
});
const m = await import(pathToFileURL(outfile).href);

const DAYS = Number(process.argv[2] ?? 7);
const KEYS = 20;
const HOUR = 3600_000;
const sqlite3 = await sqlite3InitModule();
const db = new sqlite3.oo1.DB(':memory:');
m.migrate(db);
const ids = ['http://127.0.0.1:8080', 'http://127.0.0.1:9101'].map((url, i) =>
  m.addEndpoint(db, { kind: i ? 'exporter' : 'llama', name: '', url, apiKey: null, intervalMs: 1000, enabled: true }).id);
const keys = Array.from({ length: KEYS }, (_, k) => (k < 6 ? `llamacpp:counter_${k}_total` : `gauge_${k}{gpu="0"}`));
const frame = (endpointId, ts, i) => ({
  endpointId, ts,
  values: Object.fromEntries(keys.map((k, j) => [k, j < 6 ? Math.floor(i * (j + 1) * 3.7) : j < 10 ? (i % 50 < 10 ? 0 : Math.round(Math.random() * 100)) : Math.random() * 100])),
});
const tick = (ts, i) => ids.map((id) => frame(id, ts, i));
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const p99 = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length * 0.99)];
const ms = (x) => `${x.toFixed(3)} ms`;
const bytes = () => Number(db.selectValue('PRAGMA page_count')) * Number(db.selectValue('PRAGMA page_size'));

const T0 = Math.floor(1_764_000_000_000 / HOUR) * HOUR;
const total = DAYS * 86400;
const last24h = total - 86400;
// Older days in bulk (one transaction per hour) and rolled up as the app would have done.
for (let s = 0; s < last24h; s += 3600) {
  const batch = [];
  for (let i = s; i < s + 3600; i++) batch.push(...tick(T0 + i * 1000, i));
  m.saveFrames(db, batch);
  let r;
  do r = m.rollupAndPrune(db, T0 + (s + 3600) * 1000, m.DEFAULT_RETENTION, 50_000); while (r.more);
}
// The last 24 h tick by tick (timed), no pruning, to measure raw size.
const rawBefore = Number(db.selectValue("SELECT sum(pgsize) FROM dbstat WHERE name IN ('frames', 'frames_endpoint_ts')"));
const tickMs = [];
for (let i = last24h; i < total; i++) {
  const t = performance.now();
  m.saveFrames(db, tick(T0 + i * 1000, i));
  tickMs.push(performance.now() - t);
}
const rawBytes = Number(db.selectValue("SELECT sum(pgsize) FROM dbstat WHERE name IN ('frames', 'frames_endpoint_ts')")) - rawBefore;
const now = T0 + total * 1000;
console.log(`raw: ${(rawBytes / (86400 * KEYS * ids.length)).toFixed(2)} B/sample (24 h, ${ids.length} endpoints x ${KEYS} keys at 1 s, frames table + index)`);
console.log(`tick (${ids.length * KEYS} samples, one transaction): median ${ms(med(tickMs))}, p99 ${ms(p99(tickMs))}`);

let r;
const catchUp = performance.now();
do r = m.rollupAndPrune(db, now, m.DEFAULT_RETENTION, 5000); while (r.more);
console.log(`catch-up retention after 24 h unpruned: ${ms(performance.now() - catchUp)} in passes of 5000 rows`);

const query = (range, label) => {
  const q = { endpointId: ids[0], keys: keys.slice(0, 8), from: now - range, to: now, points: 1000 };
  m.queryHistory(db, q);
  const times = [];
  let res;
  for (let i = 0; i < 20; i++) { const t = performance.now(); res = m.queryHistory(db, q); times.push(performance.now() - t); }
  console.log(`query ${label} (8 series, 1000 px): tier ${res.tier}, ${res.ts.length} points, median ${ms(med(times))}`);
};
query(10 * 60_000, '10 min');
query(24 * HOUR, '24 h');
if (DAYS >= 7) query(7 * 86400_000, '7 days');

const prune = [];
for (let k = 0; k < 30; k++) {
  for (let i = 0; i < 60; i++) m.saveFrames(db, tick(now + (k * 60 + i) * 1000, total + k * 60 + i));
  const t = performance.now();
  m.rollupAndPrune(db, now + (k + 1) * 60_000 + 10_000);
  prune.push(performance.now() - t);
}
console.log(`steady-state retention pass (each minute, ${DAYS} days held): median ${ms(med(prune))}, max ${ms(Math.max(...prune))}`);
const v = m.vacuum(db);
const info = m.dbInfo(db, 'memory');
console.log(`database after ${DAYS} days at default retention: ${(v.after / 1e6).toFixed(1)} MB after vacuum (${(v.before / 1e6).toFixed(1)} MB before);`,
  info.tables.filter((t) => t.bytes > 8192).map((t) => `${t.name} ${(t.bytes / 1e6).toFixed(2)} MB / ${t.rows} rows`).join(', '));
