// Measures what a llama-server that adds one new label value to /metrics on every read costs the
// storage: the real poll pipeline in Node (captured /metrics text + one new `llamacpp:churn_total{id}`
// line + one foreign line per tick → parsePrometheus → deriveTick → the series budget when the code has
// one → saveFrames on sqlite-wasm :memory:), retention every 60 ticks as the worker runs it.
// Prints ms per tick (median and p99 of the last 300 ticks, retention apart), database bytes, layouts and series keys,
// then the layouts left after a retention run 3 h later (raw samples retained away).
// Usage: node scripts/measure-series-churn.mjs [ticks=3000] [source root=.]   (CHURN=0: no new label values, for reference)
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';

const here = fileURLToPath(new URL('..', import.meta.url));
const TICKS = Number(process.argv[2] ?? 3000);
const CHURN = process.env.CHURN !== '0';
const root = resolve(process.argv[3] ?? here);
const outfile = `${here}node_modules/.cache/measure-series-churn/bundle-${Date.now()}.mjs`;
const budget = existsSync(`${root}/src/lib/series-budget.ts`);
await build({
  stdin: {
    contents: [
      "export * from './src/db/schema.ts'; export * from './src/db/endpoints.ts'; export * from './src/db/metrics.ts';",
      "export * from './src/lib/prometheus.ts'; export * from './src/lib/llama-derive.ts';",
      budget ? "export * from './src/lib/series-budget.ts';" : '',
    ].join('\n'),
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', outfile, external: ['@sqlite.org/sqlite-wasm'], logLevel: 'error',
});
const m = await import(pathToFileURL(outfile).href);

const metrics = readFileSync(`${here}tests/fixtures/llama-server/single/metrics-2-busy.body.txt`, 'utf8');
const sqlite3 = await sqlite3InitModule();
const db = new sqlite3.oo1.DB(':memory:');
m.migrate(db);
const ep = m.addEndpoint(db, { kind: 'llama', name: '', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true }).id;
const admit = m.SeriesBudget ? ((b) => (v) => b.admit(v).values)(new m.SeriesBudget('llama')) : (v) => v;
const HOUR = 3600_000;
const T0 = Math.floor(1_764_000_000_000 / HOUR) * HOUR;
const bytes = () => Number(db.selectValue('PRAGMA page_count')) * Number(db.selectValue('PRAGMA page_size'));
const layouts = () => Number(db.selectValue('SELECT count(*) FROM layouts'));
const retain = (now) => { while (m.rollupAndPrune(db, now).more); };

let state = m.initialDeriveState();
const times = [];
const passes = [];
for (let i = 0; i < TICKS; i++) {
  const ts = T0 + i * 1000;
  const t = performance.now();
  const text = CHURN ? `${metrics}llamacpp:churn_total{id="${i}"} 1\nproxy_requests_total{id="${i}"} 1\n` : metrics;
  const out = m.deriveTick(state, { ts, metrics: m.parsePrometheus(text), slots: null, totalSlots: 2 });
  state = out.state;
  m.saveFrames(db, [{ endpointId: ep, ts, values: admit({ ...out.values, up: 1, health_state: 1 }) }]);
  const r = performance.now();
  if (i % 60 === 59) {
    retain(ts);
    passes.push(performance.now() - r);
  }
  times.push(r - t);
}
const last = times.slice(-300).sort((a, b) => a - b);
const q = (p) => last[Math.min(last.length - 1, Math.floor(last.length * p))].toFixed(2);
console.log(`code: ${root} (${m.SeriesBudget ? 'with' : 'without'} the series budget)`);
console.log(`${TICKS} ticks, ${CHURN ? 'one new label value' : 'no new label value'} per tick: ${q(0.5)} ms per tick (median of the last 300), p99 ${q(0.99)} ms`);
const sorted = [...passes].sort((a, b) => a - b);
console.log(`retention pass every 60 ticks: median ${sorted[sorted.length >> 1].toFixed(2)} ms, max ${sorted[sorted.length - 1].toFixed(2)} ms`);
const sum = (sql) => Number(db.selectValue(sql) ?? 0) / 1e6;
console.log(`database ${(bytes() / 1e6).toFixed(1)} MB (layouts ${sum('SELECT sum(length(keys)) FROM layouts').toFixed(1)} MB, raw frames ${sum('SELECT sum(length(vals)) FROM frames').toFixed(1)} MB, minute rollups ${sum('SELECT sum(length(vals)) FROM frames_1m').toFixed(1)} MB), ${layouts()} layouts, ${m.seriesKeys(db, ep).length} series keys`);
retain(T0 + TICKS * 1000 + 3 * HOUR);
console.log(`after retention 3 h later: ${layouts()} layouts, ${m.seriesKeys(db, ep).length} series keys`);
