/**
 * Samples filled in from an exporter after the fact (collect/llama-gap-fill.ts): what the dashboard
 * already covers, and storing a fill so the rollups agree with it. Retention rolls each tier forward
 * from its newest bucket, so a fill that lands behind that edge (the page polled for a minute before the
 * fill came in) would never be rolled and would vanish with the raw tier: its buckets are rolled here.
 */
import type { SampleFrame, SeriesEvent } from '../lib/types';
import { decodeFrame, decodeRollup, encodeRollup, ROLLUP_STATS, STAT_MAX } from '../lib/frame-codec';
import { bucketStart, rollupBucket, type BucketRow } from '../lib/rollup';
import type { Span } from '../lib/gap-plan';
import { filledSpan } from '../lib/gap-plan';
import { KEYS } from '../lib/series-keys';
import { layoutById, layoutWithKeys, type Layout } from './layouts';
import { readFrames } from './frames-read';
import { listEvents, saveFrames } from './metrics';
import { inTx, type DB } from './sql';

const MINUTE = 60_000;
const HOUR = 3600_000;

/** What an endpoint's stored history covers in [from, to]: times with the server up, and spans filled before. */
export function coverage(db: DB, endpointId: number, from: number, to: number): { covered: number[]; filled: Span[] } {
  const layouts = new Map<number, Layout>();
  const covered: number[] = [];
  const minutes = readFrames(db, 'frames_1m', endpointId, from - MINUTE, to, true);
  const mAll = decodeRollup(minutes.bytes);
  for (let i = 0; i < minutes.ts.length; i++) {
    const at = layoutById(db, minutes.layoutIds[i], layouts).pos.get(KEYS.up);
    if (at !== undefined && mAll[minutes.offsets[i] / 4 + at * ROLLUP_STATS + STAT_MAX] === 1) covered.push(minutes.ts[i], minutes.ts[i] + MINUTE - 1);
  }
  const raw = readFrames(db, 'frames', endpointId, from, to, true);
  const rAll = decodeFrame(raw.bytes);
  for (let i = 0; i < raw.ts.length; i++) {
    const at = layoutById(db, raw.layoutIds[i], layouts).pos.get(KEYS.up);
    if (at !== undefined && at < raw.lengths[i] / 8 && rAll[raw.offsets[i] / 8 + at] === 1) covered.push(raw.ts[i]);
  }
  covered.sort((a, b) => a - b);
  const filled = listEvents(db, endpointId, 0, to)
    .filter((e) => e.kind === 'filled')
    .map((e) => filledSpan(e.ts, e.detail))
    .filter((s): s is NonNullable<typeof s> => s !== null && s.to >= from)
    .map(({ from: f, to: t }) => ({ from: f, to: t }));
  return { covered, filled };
}

/**
 * Stores filled samples and their markers through saveFrames (the polled samples' path), then re-rolls
 * the minute and hour buckets they fall in that retention has already passed. One transaction.
 */
export function saveBackfill(db: DB, frames: SampleFrame[], events: SeriesEvent[]): number {
  return inTx(db, () => {
    const ids = [...new Set(frames.map((f) => f.endpointId))];
    const before = new Map(ids.map((id) => [id, { oldestRaw: edge(db, 'frames', id, 'min'), minute: edge(db, 'frames_1m', id, 'max'), hour: edge(db, 'frames_1h', id, 'max') }]));
    const saved = saveFrames(db, frames, events);
    const layouts = new Map<number, Layout>();
    for (const id of ids) {
      const b = before.get(id)!;
      const mine = frames.filter((f) => f.endpointId === id).map((f) => Math.round(f.ts));
      const minuteBuckets = [...new Set(mine.map((t) => bucketStart(t, MINUTE)))].filter((m) => b.minute !== null && m <= b.minute);
      for (const m of minuteBuckets) rerollMinute(db, id, m, b.oldestRaw, mine, layouts);
      const hourBuckets = [...new Set(mine.map((t) => bucketStart(t, HOUR)))].filter((h) => b.hour !== null && h <= b.hour);
      for (const h of hourBuckets) rerollHour(db, id, h, layouts);
    }
    return saved;
  });
}

function edge(db: DB, table: string, endpointId: number, fn: 'min' | 'max'): number | null {
  const v = db.selectValue(`SELECT ${fn}(ts) FROM ${table} WHERE endpoint_id = ?`, [endpointId]);
  return typeof v === 'number' ? v : null;
}

interface Row { layoutId: number; vals: ArrayLike<number>; n: number }

/** One rollup of rows (raw or rollups) under a layout holding all their keys. */
function roll(db: DB, endpointId: number, rows: Row[], fromRollups: boolean, layouts: Map<number, Layout>): { layout: Layout; n: number; stats: Float64Array } {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const id of [...new Set(rows.map((r) => r.layoutId))].sort((a, b) => b - a)) {
    for (const k of layoutById(db, id, layouts).keys) if (!seen.has(k)) { seen.add(k); keys.push(k); }
  }
  const layout = layoutWithKeys(db, endpointId, keys);
  const stride = fromRollups ? ROLLUP_STATS : 1;
  const input: BucketRow[] = rows.map((r) => {
    const l = layoutById(db, r.layoutId, layouts);
    return { vals: r.vals, n: r.n, map: keys.map((k) => (l.pos.has(k) ? l.pos.get(k)! * stride : -1)) };
  });
  return { layout, n: rows.reduce((s, r) => s + r.n, 0), stats: rollupBucket(input, keys.length, fromRollups) };
}

function rowsOf(db: DB, table: string, endpointId: number, from: number, to: number, rollups: boolean): Row[] {
  const b = readFrames(db, table, endpointId, from, to, false);
  const all = rollups ? decodeRollup(b.bytes) : decodeFrame(b.bytes);
  const width = rollups ? 4 : 8;
  return b.ts.map((_, i) => ({ layoutId: b.layoutIds[i], n: b.n[i], vals: all.subarray(b.offsets[i] / width, (b.offsets[i] + b.lengths[i]) / width) }));
}

function write(db: DB, table: string, endpointId: number, ts: number, r: { layout: Layout; n: number; stats: Float64Array }): void {
  db.exec({ sql: `INSERT OR REPLACE INTO ${table}(endpoint_id, ts, layout_id, n, vals) VALUES (?, ?, ?, ?, ?)`, bind: [endpointId, ts, r.layout.id, r.n, encodeRollup(r.stats)] });
}

/**
 * A minute whose raw samples are all still there is rolled from them; one whose earlier samples were
 * pruned keeps its rollup and adds the filled samples to it (they are new to it: the span was a gap).
 */
function rerollMinute(db: DB, id: number, m: number, oldestRaw: number | null, filled: number[], layouts: Map<number, Layout>): void {
  const raw = rowsOf(db, 'frames', id, m, m + MINUTE, false);
  if (raw.length === 0) return;
  const existing = rowsOf(db, 'frames_1m', id, m, m + 1, true);
  if (existing.length === 0 || (oldestRaw !== null && m >= oldestRaw)) return write(db, 'frames_1m', id, m, roll(db, id, raw, false, layouts));
  const inBucket = new Set(filled.filter((t) => bucketStart(t, MINUTE) === m));
  const b = readFrames(db, 'frames', id, m, m + MINUTE, false);
  const fresh = raw.filter((_, i) => inBucket.has(b.ts[i]));
  if (fresh.length === 0) return;
  const add = roll(db, id, fresh, false, layouts);
  write(db, 'frames_1m', id, m, roll(db, id, [...existing, { layoutId: add.layout.id, n: add.n, vals: add.stats }], true, layouts));
}

/** An hour is rolled again from its minutes (kept far longer than the exporter's window). */
function rerollHour(db: DB, id: number, h: number, layouts: Map<number, Layout>): void {
  const minutes = rowsOf(db, 'frames_1m', id, h, h + HOUR, true);
  if (minutes.length > 0) write(db, 'frames_1h', id, h, roll(db, id, minutes, true, layouts));
}
