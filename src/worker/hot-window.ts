/**
 * The hot window: the last hour of raw samples of the endpoints the page charts, held columnar in the
 * worker (one Float64Array per series) so the live views are answered without SQLite. Filled from the
 * database shortly after an endpoint's first query (see `warm`), then by every stored tick; dropped
 * (and filled again after the next query) whenever the stored history changes in a way a tick does
 * not describe.
 */
import type { HistoryQuery, HistoryResult, SampleFrame } from '../lib/types';
import { decodeFrame } from '../lib/frame-codec';
import { downsampleMinMax } from '../lib/downsample';
import { layoutById, type Layout } from '../db/layouts';
import { readFrames } from '../db/frames-read';
import type { DB } from '../db/sql';

/** Time kept: the 1-hour view plus the slack of pickTier's "reaches back" test. */
export const HOT_SPAN_MS = 3600_000 + 2 * 60_000;
/** Most rows per endpoint: an hour at one tick a second fits; faster ticks keep a shorter span. */
export const HOT_MAX_ROWS = 4096;
const FIRST_ROWS = 1024;

interface Columns {
  /** Every row with ts >= since is held. */
  since: number;
  rows: number;
  capacity: number;
  ts: Float64Array;
  cols: Map<string, Float64Array>;
}

/** Rows a query may read from one tier (as src/db/metrics.ts rowLimit). */
function rowLimit(points: number): number {
  return Math.min(6000, Math.max(2000, 4 * points));
}

/** First index with ts[i] >= t (rows 0..n). */
function lowerBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The hot window of one worker; see the module comment. */
export class HotWindow {
  #eps = new Map<number, Columns>();
  #warming = new Set<number>();
  /** Bumped by every invalidate, so a fill planned before it never lands after it. */
  #generation = 0;

  /** Whether this endpoint's window is held (its live views are answered from memory). */
  holds(endpointId: number): boolean {
    return this.#eps.has(endpointId);
  }

  /**
   * Fills an endpoint's window after `delayMs`, not now: reading its hour from SQLite costs tens of
   * milliseconds, which on the page's first load would stand between it and its first chart, while
   * SQLite answers that first 10-minute view in a few. Ticks stored meanwhile are in the database
   * the fill reads.
   */
  warm(db: () => DB, endpointId: number, now: () => number, delayMs = 1000): void {
    if (this.#eps.has(endpointId) || this.#warming.has(endpointId)) return;
    this.#warming.add(endpointId);
    const generation = this.#generation;
    setTimeout(() => {
      this.#warming.delete(endpointId);
      if (generation !== this.#generation || this.#eps.has(endpointId)) return;
      this.#eps.set(endpointId, fill(db(), endpointId, now() - HOT_SPAN_MS));
    }, delayMs);
  }

  /**
   * The answer queryHistory gives, read from memory, or null when the range needs more than the window
   * (older than it, or so dense the database would answer from a rollup tier): the caller then asks SQLite.
   */
  query(db: DB, q: HistoryQuery, now: number): HistoryResult | null {
    if (!(q.to >= q.from)) return null;
    let w = this.#eps.get(q.endpointId);
    if (!w) {
      w = fill(db, q.endpointId, now - HOT_SPAN_MS);
      this.#eps.set(q.endpointId, w);
    }
    if (q.from < w.since) return null;
    const points = Math.max(2, Math.floor(q.points) || 2);
    const a = lowerBound(w.ts, w.rows, q.from);
    const b = lowerBound(w.ts, w.rows, q.to + 1);
    // queryHistory reads raw rows only when they are few enough and reach back to the range's start.
    if (b - a > rowLimit(points) || a >= w.rows || w.ts[a] > q.from + 60_000) return null;
    const nan = new Float64Array(b - a).fill(NaN);
    const series = q.keys.map((k) => w.cols.get(k)?.subarray(a, b) ?? nan);
    const d = downsampleMinMax(w.ts.subarray(a, b), series, q.from, q.to, points);
    const values: Record<string, (number | null)[]> = {};
    q.keys.forEach((k, i) => { values[k] = d.values[i]; });
    return { ts: d.ts.map((t) => t / 1000), values, tier: 'raw' };
  }

  /** Appends stored frames to the endpoints held; an out-of-order one drops its endpoint instead. */
  append(frames: SampleFrame[]): void {
    for (const f of frames) {
      const w = this.#eps.get(f.endpointId);
      if (!w) continue;
      const ts = Math.round(f.ts);
      const last = w.rows > 0 ? w.ts[w.rows - 1] : -Infinity;
      if (ts < last) { this.#eps.delete(f.endpointId); continue; }
      if (ts > last) {
        if (w.rows === w.capacity) makeRoom(w, ts);
        w.rows++;
      }
      const at = w.rows - 1;
      w.ts[at] = ts;
      for (const [k, col] of w.cols) col[at] = numberOr(f.values[k]);
      for (const k of Object.keys(f.values)) {
        if (w.cols.has(k)) continue;
        const col = new Float64Array(w.capacity).fill(NaN);
        col[at] = numberOr(f.values[k]);
        w.cols.set(k, col);
      }
    }
  }

  /** Forgets these endpoints (their history was rewritten); all of them when none are named. */
  invalidate(endpointIds?: Iterable<number>): void {
    this.#generation++;
    if (!endpointIds) { this.#eps.clear(); return; }
    for (const id of endpointIds) this.#eps.delete(id);
  }

  /** Bytes held now, per endpoint (typed arrays only). */
  bytes(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [id, w] of this.#eps) out.set(id, 8 * w.capacity * (1 + w.cols.size));
    return out;
  }
}

function numberOr(v: number | null | undefined): number {
  return typeof v === 'number' ? v : NaN;
}

/** Reads the raw rows since `since` into columns. */
function fill(db: DB, endpointId: number, since: number): Columns {
  const b = readFrames(db, 'frames', endpointId, since, Number.MAX_SAFE_INTEGER, true);
  let start = 0;
  let capacity = FIRST_ROWS;
  while (capacity < b.ts.length && capacity < HOT_MAX_ROWS) capacity *= 2;
  // Denser than the cap (fast ticks): keep the newest rows; everything from the first kept one is held.
  if (b.ts.length > capacity) start = b.ts.length - capacity;
  const w: Columns = { since: start > 0 ? b.ts[start] : since, rows: b.ts.length - start, capacity, ts: new Float64Array(capacity), cols: new Map() };
  const all = decodeFrame(b.bytes);
  const layouts = new Map<number, Layout>();
  for (let i = start; i < b.ts.length; i++) {
    const r = i - start;
    w.ts[r] = b.ts[i];
    const l = layoutById(db, b.layoutIds[i], layouts);
    const base = b.offsets[i] / 8;
    const len = b.lengths[i] / 8;
    for (const [k, p] of l.pos) {
      let col = w.cols.get(k);
      if (!col) { col = new Float64Array(capacity).fill(NaN); w.cols.set(k, col); }
      col[r] = p < len ? all[base + p] : NaN;
    }
    // Keys of other layouts that this row lacks stay NaN: every column is NaN-filled when made.
  }
  return w;
}

/** Frees a row: drops what fell out of the span, else grows up to the cap, else drops the oldest quarter. */
function makeRoom(w: Columns, ts: number): void {
  let drop = lowerBound(w.ts, w.rows, ts - HOT_SPAN_MS);
  if (drop === 0 && w.capacity < HOT_MAX_ROWS) {
    const capacity = w.capacity * 2;
    const grow = (a: Float64Array, pad: number) => { const g = new Float64Array(capacity).fill(pad); g.set(a); return g; };
    w.ts = grow(w.ts, 0);
    for (const [k, col] of w.cols) w.cols.set(k, grow(col, NaN));
    w.capacity = capacity;
    return;
  }
  if (drop === 0) drop = w.capacity >> 2;
  w.ts.copyWithin(0, drop, w.rows);
  for (const col of w.cols.values()) { col.copyWithin(0, drop, w.rows); col.fill(NaN, w.rows - drop); }
  w.rows -= drop;
  w.since = Math.max(w.since, w.ts[0], ts - HOT_SPAN_MS);
}
