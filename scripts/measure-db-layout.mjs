// Measures candidate time-series layouts on sqlite-wasm :memory: (Node): bytes per sample at rest,
// one tick's commit, a 10-minute query. Usage: node scripts/measure-db-layout.mjs [hours=24]
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';

const sqlite3 = await sqlite3InitModule();
const HOURS = Number(process.argv[2] ?? 24);
const KEYS_PER_ENDPOINT = 20; // one llama-server + one exporter = ~40 samples per tick
const ENDPOINTS = 2;
const T0 = 1_764_000_000_000;
const TICKS = HOURS * 3600;

function valuesAt(e, i) {
  const v = new Float64Array(KEYS_PER_ENDPOINT);
  for (let k = 0; k < KEYS_PER_ENDPOINT; k++) {
    if (k < 6) v[k] = Math.floor(i * (k + 1) * 3.7 + e * 1000); // counters
    else if (k < 10) v[k] = i % 50 < 10 ? 0 : Math.round(Math.random() * 100) / 1; // integer gauges
    else v[k] = Math.random() * 100; // float gauges
  }
  return v;
}

const layouts = {
  'packed WITHOUT ROWID pk(endpoint,ts)': {
    ddl: 'CREATE TABLE f(endpoint_id INTEGER, ts INTEGER, layout_id INTEGER, vals BLOB, PRIMARY KEY(endpoint_id, ts)) WITHOUT ROWID',
    insert: 'INSERT INTO f VALUES (?,?,1,?)',
    bind: (s, e, ts, v) => s.bind([e, ts, new Uint8Array(v.buffer)]),
    rowsPerTick: ENDPOINTS,
    query: 'SELECT ts, vals FROM f WHERE endpoint_id=1 AND ts BETWEEN ? AND ?',
  },
  'packed rowid + index(endpoint,ts)': {
    ddl: 'CREATE TABLE f(endpoint_id INTEGER, ts INTEGER, layout_id INTEGER, vals BLOB); CREATE INDEX f_e_ts ON f(endpoint_id, ts)',
    insert: 'INSERT INTO f VALUES (?,?,1,?)',
    bind: (s, e, ts, v) => s.bind([e, ts, new Uint8Array(v.buffer)]),
    rowsPerTick: ENDPOINTS,
    query: 'SELECT ts, vals FROM f WHERE endpoint_id=1 AND ts BETWEEN ? AND ?',
  },
  'narrow (series,ts,value) WITHOUT ROWID': {
    ddl: 'CREATE TABLE f(series_id INTEGER, ts INTEGER, value REAL, PRIMARY KEY(series_id, ts)) WITHOUT ROWID',
    insert: 'INSERT INTO f VALUES (?,?,?)',
    narrow: true,
    query: 'SELECT ts, value FROM f WHERE series_id BETWEEN 1 AND 20 AND ts BETWEEN ? AND ?',
  },
};

for (const [name, L] of Object.entries(layouts)) {
  if (L.narrow && HOURS > 6) { console.log(`${name}: measured at 6 h (scaled)`); }
  const ticks = L.narrow && HOURS > 6 ? 6 * 3600 : TICKS;
  const db = new sqlite3.oo1.DB(':memory:');
  db.exec(L.ddl);
  const st = db.prepare(L.insert);
  const tickMs = [];
  let samples = 0;
  for (let i = 0; i < ticks; i++) {
    const t = performance.now();
    db.exec('BEGIN');
    for (let e = 1; e <= ENDPOINTS; e++) {
      const v = valuesAt(e, i);
      if (L.narrow) {
        for (let k = 0; k < v.length; k++) { st.bind([(e - 1) * KEYS_PER_ENDPOINT + k + 1, T0 + i * 1000, v[k]]).stepReset(); }
      } else L.bind(st, e, T0 + i * 1000, v).stepReset();
      samples += v.length;
    }
    db.exec('COMMIT');
    if (i % 100 === 0) tickMs.push(performance.now() - t);
  }
  st.finalize();
  const bytes = db.selectValue('PRAGMA page_count') * db.selectValue('PRAGMA page_size');
  const q = db.prepare(L.query);
  const qMs = [];
  for (let r = 0; r < 50; r++) {
    const to = T0 + (ticks - 1 - r * 37) * 1000; const from = to - 600_000;
    const t = performance.now();
    q.bind([from, to]);
    let n = 0;
    while (q.step()) { const b = q.get(1); if (b instanceof Uint8Array) { const f = new Float64Array(b.buffer, b.byteOffset, b.length / 8); n += f[3] > -1 ? 1 : 0; } else n++; }
    q.reset();
    qMs.push(performance.now() - t);
  }
  q.finalize();
  const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const p99 = (a) => a.sort((x, y) => x - y)[Math.floor(a.length * 0.99)];
  console.log(`${name}: ${samples} samples, ${(bytes / samples).toFixed(2)} B/sample, tick median ${med(tickMs).toFixed(3)} ms p99 ${p99(tickMs).toFixed(3)} ms, 10-min query median ${med(qMs).toFixed(2)} ms`);
  db.close();
}
