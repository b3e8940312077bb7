/**
 * The benchmark workload, shared by the browser run (bench/worker.ts: sqlite-wasm on OPFS sahpool, in a
 * dedicated worker like the app's) and the native run (bench/native.ts: better-sqlite3 through an oo1-like
 * adapter). Both call the app's own storage functions (src/db/*), so both run exactly the same SQL.
 * Data is fast-forwarded: ticks are generated with the timestamps they would have had, not waited for.
 */
import type { DB } from '../src/db/sql';
import type { ModelConfigInput, SampleFrame } from '../src/lib/types';
import { migrate } from '../src/db/schema';
import { addEndpoint } from '../src/db/endpoints';
import { HotWindow } from '../src/worker/hot-window';
import { listEvents, queryHistory, rollupAndPrune, saveFrames, DEFAULT_RETENTION } from '../src/db/metrics';
import { createModel, listModels, updateModel } from '../src/db/models';
import { setMeta } from '../src/db/metadata';

/** Where a workload runs: a way to open a fresh database file and a clock. */
export interface BenchEnv {
  /** Opens (creating) a database file tuned like the app's (exclusive locking, WAL, synchronous=NORMAL). */
  open(name: string): DB;
  /** Closes and deletes a database file opened by open(). */
  drop(db: DB, name: string): void;
  now(): number;
}

/** Timings of one measured operation, in ms. */
export interface Timing {
  median: number;
  p99: number;
  n: number;
}

export type Results = Record<string, number | Timing | string>;

const HOUR = 3600_000;
const MINUTE = 60_000;
/** A whole hour, so rollup buckets line up as they would for a real clock. */
const T0 = 1_764_000_000_000 - (1_764_000_000_000 % HOUR);

/** Median and p99 (nearest rank) of a list of timings. */
export function timing(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  const rank = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return { median: rank(0.5), p99: rank(0.99), n: s.length };
}

// One llama-server tick as the collector writes it (src/lib/llama-derive.ts, series-keys.ts) with one
// slot: the 14 numeric samples of /metrics, 8 derived series and 4 per-slot series = 26 samples.
const METRIC_KEYS = [
  'prompt_tokens_total', 'prompt_tokens_cached_total', 'prompt_seconds_total', 'tokens_predicted_total',
  'tokens_predicted_seconds_total', 'n_decode_total', 'n_tokens_max', 'spec_decode_num_draft_tokens_total',
  'spec_decode_num_accepted_tokens_total', 'spec_decode_num_drafts_total', 'prompt_tokens_seconds',
  'predicted_tokens_seconds', 'requests_processing', 'requests_deferred',
].map((k) => `llamacpp:${k}`);
const DERIVED_KEYS = ['prompt_tps', 'gen_tps', 'gen_tps_live', 'gen_tokens_rate', 'requests_per_min', 'slots_busy', 'slots_total', 'uptime_s'];
const SLOT_KEYS = ['slot_busy', 'slot_ctx_fill', 'slot_decoded', 'slot_gen_tps'].map((k) => `${k}{slot="0"}`);
/** The server's keys, in the order a tick lists them. */
export const LLAMA_KEYS = [...METRIC_KEYS, ...DERIVED_KEYS, ...SLOT_KEYS];
// One exporter tick (src/lib/host-snapshot.ts snapshotSeries) with one disk and one GPU: 14 samples.
export const EXPORTER_KEYS = [
  'cpu_util', 'mem_used_bytes', 'mem_total_bytes', 'load1', 'disk_used_bytes{path="/"}', 'disk_total_bytes{path="/"}',
  ...['gpu_util', 'gpu_mem_util', 'gpu_mem_used_bytes', 'gpu_mem_total_bytes', 'gpu_temp_c', 'gpu_power_w', 'gpu_power_limit_w', 'gpu_fan_pct']
    .map((k) => `${k}{gpu="0"}`),
];
/** Samples per tick of one server plus one exporter. */
export const SAMPLES_PER_PAIR = LLAMA_KEYS.length + EXPORTER_KEYS.length;

/** What the default dashboard queries for a server's panel (chart-specs.ts llamaKeys(1)) and an exporter's. */
const DASHBOARD_LLAMA_KEYS = [
  'uptime_s', 'requests_per_min', 'slots_total', 'prompt_tps', 'gen_tps_live', 'gen_tps',
  'llamacpp:requests_processing', 'llamacpp:requests_deferred', 'slots_busy', 'slot_ctx_fill{slot="0"}',
];
const DASHBOARD_EXPORTER_KEYS = ['cpu_util', 'mem_used_bytes', 'gpu_util{gpu="0"}', 'gpu_mem_used_bytes{gpu="0"}', 'gpu_temp_c{gpu="0"}', 'gpu_power_w{gpu="0"}'];
/** Chart width in points the queries downsample to. */
export const CHART_POINTS = 1000;

/** A server plus its host's exporter. */
interface Pair { llama: number; exporter: number }

function llamaFrame(endpointId: number, ts: number, i: number): SampleFrame {
  const busy = i % 40 < 25 ? 1 : 0;
  const values: Record<string, number | null> = {};
  const base = [i * 37, i * 5, i * 0.09, i * 21, i * 0.7, i * 22, 4096 + (i % 512), 0, 0, 0, busy * 800.5, busy * 31.2, busy, 0];
  METRIC_KEYS.forEach((k, j) => { values[k] = base[j]; });
  const derived = [busy ? 810 + (i % 13) : null, busy ? 30 + (i % 7) / 10 : null, busy * (29 + (i % 5)), busy * 30, 12 + (i % 9), busy, 1, i];
  DERIVED_KEYS.forEach((k, j) => { values[k] = derived[j]; });
  const slot = [busy, ((i % 400) + 100) / 4096, (i % 400) * busy, busy * 30.5];
  SLOT_KEYS.forEach((k, j) => { values[k] = slot[j]; });
  return { endpointId, ts, values };
}

function exporterFrame(endpointId: number, ts: number, i: number): SampleFrame {
  const load = (Math.sin(i / 300) + 1) / 2;
  const v = [load * 100, 12e9 + (i % 1000) * 1e6, 64e9, load * 4, 400e9 + i * 10, 1e12, load * 97, load * 60, 20e9, 24e9, 45 + load * 30, 80 + load * 250, 350, null];
  const values: Record<string, number | null> = {};
  EXPORTER_KEYS.forEach((k, j) => { values[k] = v[j]; });
  return { endpointId, ts, values };
}

/** The frames of one tick (second `i` after T0) of the given pairs. */
function tick(pairs: Pair[], i: number): SampleFrame[] {
  const ts = T0 + i * 1000;
  return pairs.flatMap((p) => [llamaFrame(p.llama, ts, i), exporterFrame(p.exporter, ts, i)]);
}

function addPairs(db: DB, from: number, count: number): Pair[] {
  return Array.from({ length: count }, (_, k) => {
    const n = from + k;
    const common = { apiKey: null, intervalMs: 1000, enabled: true };
    return {
      llama: addEndpoint(db, { ...common, kind: 'llama', name: `server ${n}`, url: `http://10.0.${n >> 8}.${n & 255}:8080` }).id,
      exporter: addEndpoint(db, { ...common, kind: 'exporter', name: `host ${n}`, url: `http://10.0.${n >> 8}.${n & 255}:9101` }).id,
    };
  });
}

/** Bytes in pages of some tables and indexes (SQLite's dbstat). */
function tableBytes(db: DB, names: string[]): number {
  return Number(db.selectValue(`SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (${names.map(() => '?').join(',')})`, names));
}

/** Bytes the database file holds: all pages, and the ones in use. */
function fileBytes(db: DB): { file: number; used: number } {
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const page = Number(db.selectValue('PRAGMA page_size'));
  const count = Number(db.selectValue('PRAGMA page_count'));
  const free = Number(db.selectValue('PRAGMA freelist_count'));
  return { file: count * page, used: (count - free) * page };
}

/** The worker's retention timer catching up: bounded passes (api.ts RETENTION_BATCH) until done. */
function retentionCatchUp(db: DB, now: number): void {
  while (rollupAndPrune(db, now, DEFAULT_RETENTION, 5000).more) { /* next batch */ }
}

/**
 * Fills `hours` of ticks of `pairs` in hourly bulk inserts (timed), running retention after each hour
 * like the worker's timer would have: the database ends in the state the app leaves it in.
 */
function fill(env: BenchEnv, db: DB, pairs: Pair[], hours: number): { bulkMs: number[]; rowsPerHour: number } {
  const bulkMs: number[] = [];
  let rowsPerHour = 0;
  for (let h = 0; h < hours; h++) {
    const frames: SampleFrame[] = [];
    for (let s = h * 3600; s < (h + 1) * 3600; s++) frames.push(...tick(pairs, s));
    rowsPerHour = frames.length;
    const t = env.now();
    saveFrames(db, frames);
    bulkMs.push(env.now() - t);
    retentionCatchUp(db, T0 + (h + 1) * HOUR);
  }
  return { bulkMs, rowsPerHour };
}

/**
 * Ingest, queries, retention: one database with 7 days of one server and one exporter at 1 s,
 * then chart queries over it, steady-state retention passes, and ticks of 1, 10 and 50 servers.
 */
export function mainWorkload(env: BenchEnv, log: (s: string) => void = () => {}): Results {
  const name = 'bench-main.sqlite3';
  const db = env.open(name);
  const r: Results = {};
  try {
    migrate(db);
    const [pair] = addPairs(db, 0, 1);
    const DAYS = 7;
    const started = env.now();
    const { bulkMs, rowsPerHour } = fill(env, db, [pair], DAYS * 24);
    log(`filled ${DAYS} days in ${((env.now() - started) / 1000).toFixed(1)} s`);
    const bulk = timing(bulkMs);
    r['bulk.rowsPerS'] = rowsPerHour / (bulk.median / 1000);
    r['bulk.samplesPerS'] = (rowsPerHour / 2) * SAMPLES_PER_PAIR / (bulk.median / 1000);
    let now = T0 + DAYS * 24 * HOUR;
    r['size7d.file'] = fileBytes(db).file;

    for (const [label, span] of [['10m', 10 * MINUTE], ['24h', 24 * HOUR], ['7d', DAYS * 24 * HOUR]] as const) {
      const times: number[] = [];
      let tier = '';
      let points = 0;
      for (let k = 0; k < 31; k++) {
        const from = now - span;
        const t = env.now();
        const a = queryHistory(db, { endpointId: pair.llama, keys: DASHBOARD_LLAMA_KEYS, from, to: now, points: CHART_POINTS });
        listEvents(db, pair.llama, from, now);
        const b = queryHistory(db, { endpointId: pair.exporter, keys: DASHBOARD_EXPORTER_KEYS, from, to: now, points: CHART_POINTS });
        if (k > 0) times.push(env.now() - t);
        tier = `${a.tier}/${b.tier}`;
        points = a.ts.length;
      }
      r[`query.${label}`] = timing(times);
      r[`query.${label}.tier`] = tier;
      r[`query.${label}.points`] = points;
    }
    // The live views from the worker's hot window (src/worker/hot-window.ts): filled once, then memory only.
    for (const [label, span] of [['10m', 10 * MINUTE], ['1h', HOUR]] as const) {
      const hot = new HotWindow();
      const q = (endpointId: number, keys: string[]) => ({ endpointId, keys, from: now - span, to: now, points: CHART_POINTS });
      const fillStarted = env.now();
      hot.query(db, q(pair.llama, DASHBOARD_LLAMA_KEYS), now);
      hot.query(db, q(pair.exporter, DASHBOARD_EXPORTER_KEYS), now);
      r[`hot.fill.${label}`] = env.now() - fillStarted;
      const times: number[] = [];
      for (let k = 0; k < 31; k++) {
        const t = env.now();
        const a = hot.query(db, q(pair.llama, DASHBOARD_LLAMA_KEYS), now);
        const b = hot.query(db, q(pair.exporter, DASHBOARD_EXPORTER_KEYS), now);
        if (k > 0) times.push(env.now() - t);
        if (!a || !b) throw new Error(`The hot window did not answer the ${label} view`);
      }
      r[`hot.query.${label}`] = timing(times);
      r['hot.bytesPerEndpoint'] = Math.max(...hot.bytes().values());
    }
    log('queries done');

    // Steady state: the worker runs one bounded pass a minute; each finds a minute to roll up and a
    // minute of raw frames past the raw window to delete (and, once an hour, an hour to roll up).
    const passMs: number[] = [];
    let second = DAYS * 24 * 3600;
    for (let m = 0; m < 90; m++) {
      const frames: SampleFrame[] = [];
      for (let s = 0; s < 60; s++) frames.push(...tick([pair], second++));
      saveFrames(db, frames);
      now += MINUTE;
      const t = env.now();
      rollupAndPrune(db, now, DEFAULT_RETENTION, 5000);
      passMs.push(env.now() - t);
    }
    r.prune = timing(passMs);
    log('retention done');

    // Ticks: one transaction per tick, as the worker's frame queue stores them.
    const pairs = [pair, ...addPairs(db, 1, 49)];
    saveFrames(db, tick(pairs, second++));
    for (const [n, reps] of [[1, 400], [10, 150], [50, 60]] as const) {
      const times: number[] = [];
      for (let k = 0; k < reps; k++) {
        const frames = tick(pairs.slice(0, n), second++);
        const t = env.now();
        saveFrames(db, frames);
        times.push(env.now() - t);
      }
      r[`tick.${n}`] = timing(times);
    }
    log('ticks done');
  } finally {
    env.drop(db, name);
  }
  return r;
}

/**
 * Ticks of one server and exporter on a fresh database: run on OPFS and in memory in the browser, it
 * tells the storage's share of a tick (OPFS writes) from sqlite-wasm's compute. `mark` brackets the
 * ticks (the browser counts its OPFS calls between them).
 */
export function tickWorkload(env: BenchEnv, name: string, mark: (what: 'start' | 'end', ticks?: number) => void = () => {}): Results {
  const db = env.open(name);
  try {
    migrate(db);
    const pairs = addPairs(db, 0, 1);
    saveFrames(db, tick(pairs, 0));
    const times: number[] = [];
    mark('start');
    for (let s = 1; s <= 400; s++) {
      const frames = tick(pairs, s);
      const t = env.now();
      saveFrames(db, frames);
      times.push(env.now() - t);
    }
    mark('end', 400);
    // The floor under any tick: a transaction that changes one small row.
    const commits: number[] = [];
    for (let k = 0; k < 400; k++) {
      const t = env.now();
      setMeta(db, 'bench', k);
      commits.push(env.now() - t);
    }
    return { 'tick.1.fresh': timing(times), commit: timing(commits) };
  } finally {
    env.drop(db, name);
  }
}

/** Size: 24 h of one server and one exporter at 1 s, with retention as the app runs it. */
export function sizeWorkload(env: BenchEnv): Results {
  const name = 'bench-size.sqlite3';
  const db = env.open(name);
  const r: Results = {};
  try {
    migrate(db);
    const pair = addPairs(db, 0, 1);
    fill(env, db, pair, 24);
    const rawRows = Number(db.selectValue('SELECT count(*) FROM frames'));
    const rawSamples = rawRows * SAMPLES_PER_PAIR / 2;
    r['size.bytesPerSample'] = tableBytes(db, ['frames', 'frames_endpoint_ts']) / rawSamples;
    r['size.rawHours'] = rawRows / 2 / 3600;
    const f = fileBytes(db);
    r['size.24h.file'] = f.file;
    r['size.24h.used'] = f.used;
  } finally {
    env.drop(db, name);
  }
  return r;
}

/** A configuration like the models page saves: a model, a dozen common flags, notes. */
function modelInput(i: number): ModelConfigInput {
  return {
    name: `model-${String(i).padStart(3, '0')}`, family: ['llama', 'qwen', 'gemma', 'mistral'][i % 4], type: i % 7 ? 'chat' : 'embedding',
    status: 'draft', notes: `Configuration ${i} for the benchmark: a short note like the ones users write.`,
    args: {
      '--model': `/models/model-${i}-Q4_K_M.gguf`, '--ctx-size': 8192 * (1 + (i % 4)), '--n-gpu-layers': 99, '--threads': 8,
      '--batch-size': 2048, '--ubatch-size': 512, '--flash-attn': 'on', '--temp': 0.7, '--top-p': 0.9, '--parallel': 2,
      '--port': 8080 + i, '--host': '127.0.0.1', '--cache-type-k': 'q8_0', '--metrics': true, '--jinja': true,
    },
    extraArgs: [], catalogueId: null, endpointId: null, routerModel: null,
  };
}

/** Model configurations: list 100, save one. */
export function modelsWorkload(env: BenchEnv): Results {
  const name = 'bench-models.sqlite3';
  const db = env.open(name);
  const r: Results = {};
  try {
    migrate(db);
    const ids = Array.from({ length: 100 }, (_, i) => createModel(db, modelInput(i)).id);
    const list: number[] = [];
    for (let k = 0; k < 101; k++) {
      const t = env.now();
      const got = listModels(db);
      if (k > 0) list.push(env.now() - t);
      if (got.length !== 100) throw new Error(`listModels returned ${got.length} configurations, not 100`);
    }
    r['models.list100'] = timing(list);
    const save: number[] = [];
    for (let k = 0; k < 100; k++) {
      const input = modelInput(k);
      const t = env.now();
      updateModel(db, ids[k], { args: { ...input.args, '--ctx-size': 4096 + k } });
      save.push(env.now() - t);
    }
    r['models.save'] = timing(save);
  } finally {
    env.drop(db, name);
  }
  return r;
}
