/** Time-series samples: saving ticks, chart queries, latest values, events. Layout: see schema.ts. */
import type { HistoryQuery, HistoryResult, LatestValues, SampleFrame, SeriesEvent } from '../lib/types';
import { decodeFrame, decodeRollup, encodeFrame, orNull, ROLLUP_STATS, STAT_LAST, STAT_MAX, STAT_MIN } from '../lib/frame-codec';
import { downsampleMinMax } from '../lib/downsample';
import { isSeriesEventKind } from '../lib/series-events';
import { forgetLayouts, knownLayouts, layoutById, layoutFor, recentLayouts, type Layout } from './layouts';
import { readFrames } from './frames-read';
import { inTx, rows, run, type DB } from './sql';

export { rollupAndPrune, DEFAULT_RETENTION, MIN_RAW_MS } from './retention';

export type Tier = HistoryResult['tier'];
/** Table and bucket width (ms) of each tier, finest first. */
const TIERS: { tier: Tier; table: string; bucketMs: number }[] = [
  { tier: 'raw', table: 'frames', bucketMs: 0 },
  { tier: '1m', table: 'frames_1m', bucketMs: 60_000 },
  { tier: '1h', table: 'frames_1h', bucketMs: 3600_000 },
];

/** Whether a layout still exists for its endpoint with exactly these keys, and the endpoint too. */
const LAYOUT_HOLDS = 'SELECT 1 FROM layouts l JOIN endpoints e ON e.id = l.endpoint_id WHERE l.id = ? AND l.endpoint_id = ? AND l.keys = ?';
const INSERT_FRAME = 'INSERT OR REPLACE INTO frames(endpoint_id, ts, layout_id, vals) VALUES (?, ?, ?, ?)';
/** An event, stored only while its endpoint exists. */
const INSERT_EVENT = 'INSERT INTO events(endpoint_id, ts, kind, detail) SELECT id, ?, ?, ? FROM endpoints WHERE id = ?';

/**
 * Stores one tick (or a backlog of ticks) and its events in ONE transaction: on any bad value the
 * whole batch is rolled back and the error thrown. A frame for the same endpoint and ts replaces the
 * earlier one. Frames and events of endpoints that no longer exist (removed while a poll was in
 * flight) are dropped. Returns how many frames were stored.
 *
 * A steady tick reads no layouts: they come from the connection's hint (layouts.ts knownLayouts), and
 * each hinted layout is checked once per call against the table (by id, endpoint and keys) before a
 * frame is stored under it. All its statements stay prepared (sql.ts run).
 */
export function saveFrames(db: DB, frames: SampleFrame[], events: SeriesEvent[] = []): number {
  if (frames.length === 0 && events.length === 0) return 0;
  return inTx(db, () => {
    const known = knownLayouts(db);
    // Layouts read or made inside this transaction, or checked in it: nothing else writes until it ends.
    const sure = new Set<Layout>();
    const unknown = [...new Set(frames.map((f) => f.endpointId))].filter((id) => !known.has(id));
    if (unknown.length > 0) learn(db, known, unknown, sure);
    let saved = 0;
    for (const f of frames) {
      const ts = checkTs(f.ts);
      if (!known.has(f.endpointId)) continue;
      if (f.values === null || typeof f.values !== 'object') throw new TypeError(`Frame of endpoint ${f.endpointId} at ${ts} has no values object`);
      const keys = Object.keys(f.values);
      let layout = layoutFor(db, f.endpointId, known.get(f.endpointId)!, keys, sure);
      if (!sure.has(layout)) {
        if (run(db, LAYOUT_HOLDS, [layout.id, f.endpointId, layout.json])) {
          sure.add(layout);
        } else {
          // The hint was stale (layouts pruned, cleared or replaced by an import): read them again.
          learn(db, known, [f.endpointId], sure);
          if (!known.has(f.endpointId)) continue;
          layout = layoutFor(db, f.endpointId, known.get(f.endpointId)!, keys, sure);
        }
      }
      run(db, INSERT_FRAME, [f.endpointId, ts, layout.id, encodeFrame(layout.keys, f.values)]);
      saved++;
    }
    for (const e of events) run(db, INSERT_EVENT, [checkTs(e.ts), e.kind, e.detail ?? null, e.endpointId]);
    return saved;
  });
}

/** Reads the recent layouts of these endpoints into the hint; an endpoint that no longer exists leaves it. */
function learn(db: DB, known: Map<number, Layout[]>, endpointIds: number[], sure: Set<Layout>): void {
  const found = recentLayouts(db, endpointIds);
  for (const id of endpointIds) {
    const recent = found.get(id);
    if (!recent) { known.delete(id); continue; }
    known.set(id, recent);
    for (const l of recent) sure.add(l);
  }
}

function checkTs(ts: number): number {
  if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) throw new TypeError(`Sample time ${String(ts)} is not a time in milliseconds`);
  return Math.round(ts);
}

function earliest(db: DB, table: string, endpointId: number): number | null {
  const v = db.selectValue(`SELECT min(ts) FROM ${table} WHERE endpoint_id = ?`, [endpointId]);
  return typeof v === 'number' ? v : null;
}

/** Rows a query may read from one tier: each costs ~1.5-2 µs to read and decode (measured), most of a query. */
function rowLimit(points: number): number {
  return Math.min(6000, Math.max(2000, 4 * points));
}

/**
 * The finest tier with at most rowLimit(points) rows in the range that reaches back to `from`;
 * when none reaches back that far, the one that reaches furthest; when every tier is too dense,
 * the coarsest that has data.
 */
function pickTier(db: DB, endpointId: number, from: number, to: number, points: number): number {
  const limit = rowLimit(points);
  let best = -1;
  let bestStart = Infinity;
  let coarsest = 0;
  for (let i = 0; i < TIERS.length; i++) {
    const { table, bucketMs } = TIERS[i];
    const start = earliest(db, table, endpointId);
    if (start === null) continue;
    coarsest = i;
    const n = Number(db.selectValue(`SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE endpoint_id = ? AND ts >= ? AND ts <= ? LIMIT ?)`,
      [endpointId, from - bucketMs, to, limit + 1]));
    if (n > limit) continue;
    if (start <= from + Math.max(bucketMs, 60_000)) return i;
    if (start < bestStart) { best = i; bestStart = start; }
  }
  return best >= 0 ? best : coarsest;
}

interface Gathered { ts: number[]; cols: number[][] }

/**
 * Reads one tier's rows in [from, to] for `keys` into columns. A rollup row becomes two points, its
 * minimum then its maximum half a bucket later, so spikes stay visible at every zoom.
 */
function gather(db: DB, tierIndex: number, q: HistoryQuery, from: number, into: Gathered, layouts: Map<number, Layout>): void {
  const { table, bucketMs } = TIERS[tierIndex];
  const b = readFrames(db, table, q.endpointId, from - Math.max(bucketMs - 1, 0), q.to, true);
  const raw = bucketMs === 0;
  const all = raw ? decodeFrame(b.bytes) : decodeRollup(b.bytes);
  const width = raw ? 8 : 4;
  const positions = new Map<number, number[]>();
  for (let i = 0; i < b.ts.length; i++) {
    let pos = positions.get(b.layoutIds[i]);
    if (!pos) {
      const l = layoutById(db, b.layoutIds[i], layouts);
      pos = q.keys.map((k) => l.pos.get(k) ?? -1);
      positions.set(b.layoutIds[i], pos);
    }
    const base = b.offsets[i] / width;
    const len = b.lengths[i] / width;
    if (raw) {
      into.ts.push(b.ts[i]);
      for (let k = 0; k < pos.length; k++) into.cols[k].push(pos[k] < 0 || pos[k] >= len ? NaN : all[base + pos[k]]);
    } else {
      into.ts.push(b.ts[i], b.ts[i] + bucketMs / 2);
      for (let k = 0; k < pos.length; k++) {
        const o = pos[k] * ROLLUP_STATS;
        const ok = pos[k] >= 0 && o < len;
        into.cols[k].push(ok ? all[base + o + STAT_MIN] : NaN, ok ? all[base + o + STAT_MAX] : NaN);
      }
    }
  }
}

/**
 * History of some series of one endpoint, columnar for uPlot (ts in SECONDS, null = missing),
 * at most about `q.points` rows with each bucket's min and max kept. Reads the tier that suits the
 * range, then finer tiers for the time after its last bucket (the not-yet-rolled edge).
 */
export function queryHistory(db: DB, q: HistoryQuery): HistoryResult {
  if (!(q.to >= q.from)) throw new RangeError(`History range is empty: from ${q.from} to ${q.to}`);
  const points = Math.max(2, Math.floor(q.points) || 2);
  const start = pickTier(db, q.endpointId, q.from, q.to, points);
  const g: Gathered = { ts: [], cols: q.keys.map(() => []) };
  const layouts = new Map<number, Layout>();
  let from = q.from;
  for (let i = start; i >= 0; i--) {
    const before = g.ts.length;
    gather(db, i, q, from, g, layouts);
    if (g.ts.length > before) from = bucketEnd(g.ts[g.ts.length - 1], TIERS[i].bucketMs);
  }
  const d = downsampleMinMax(g.ts, g.cols, q.from, q.to, points);
  const values: Record<string, (number | null)[]> = {};
  q.keys.forEach((k, i) => { values[k] = d.values[i]; });
  return { ts: d.ts.map((t) => t / 1000), values, tier: TIERS[start].tier };
}

/** First ms after the bucket that `ts` (a raw time, or a rollup's half-bucket point) falls in. */
function bucketEnd(ts: number, bucketMs: number): number {
  return bucketMs === 0 ? ts + 1 : Math.floor(ts / bucketMs) * bucketMs + bucketMs;
}

/** The newest stored values of an endpoint (falling back to rollups' last values), or null. */
export function latestValues(db: DB, endpointId: number): LatestValues | null {
  const layouts = new Map<number, Layout>();
  for (const { table, bucketMs } of TIERS) {
    const r = db.selectArray(`SELECT ts, layout_id, vals FROM ${table} WHERE endpoint_id = ? ORDER BY ts DESC LIMIT 1`, [endpointId]);
    if (!r) continue;
    const l = layoutById(db, r[1] as number, layouts);
    const values: Record<string, number | null> = {};
    if (bucketMs === 0) {
      const v = decodeFrame(r[2] as Uint8Array);
      l.keys.forEach((k, i) => { values[k] = i < v.length ? orNull(v[i]) : null; });
    } else {
      const v = decodeRollup(r[2] as Uint8Array);
      l.keys.forEach((k, i) => { values[k] = orNull(v[i * ROLLUP_STATS + STAT_LAST] ?? NaN); });
    }
    return { endpointId, ts: r[0] as number, values };
  }
  return null;
}

/** Every series key ever stored for an endpoint, sorted. */
export function seriesKeys(db: DB, endpointId: number): string[] {
  const keys = new Set<string>();
  for (const json of db.selectValues('SELECT keys FROM layouts WHERE endpoint_id = ?', [endpointId]) as string[]) {
    for (const k of JSON.parse(json) as string[]) keys.add(k);
  }
  return [...keys].sort();
}

/**
 * Chart markers (restarts, down/up, model changes) of an endpoint in [from, to], oldest first. A row of a
 * kind this version has no marker for (written by hand or by a foreign tool into an imported file) stays in
 * the file, so a backup keeps it, but is not drawn: there is nothing it could mean on a chart.
 */
export function listEvents(db: DB, endpointId: number, from: number, to: number): SeriesEvent[] {
  const out: SeriesEvent[] = [];
  for (const r of rows<{ endpoint_id: number; ts: number; kind: string; detail: string | null }>(
    db, 'SELECT endpoint_id, ts, kind, detail FROM events WHERE endpoint_id = ? AND ts >= ? AND ts <= ? ORDER BY ts, id', [endpointId, from, to],
  )) {
    if (!isSeriesEventKind(r.kind)) continue;
    out.push(r.detail === null ? { endpointId: r.endpoint_id, ts: r.ts, kind: r.kind } : { endpointId: r.endpoint_id, ts: r.ts, kind: r.kind, detail: r.detail });
  }
  return out;
}

/** Deletes every sample, rollup, layout and event (endpoints and settings stay). */
export function clearMetrics(db: DB): void {
  inTx(db, () => db.exec('DELETE FROM frames; DELETE FROM frames_1m; DELETE FROM frames_1h; DELETE FROM layouts; DELETE FROM events;'));
  forgetLayouts(db);
}
