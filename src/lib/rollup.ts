/**
 * Aggregation of samples into rollup buckets: per key min, max, avg and last, laid out
 * [min, max, avg, last] per key (see frame-codec's STAT_* indices). NaN = no value in the bucket.
 */
import { ROLLUP_STATS, STAT_AVG, STAT_LAST, STAT_MAX, STAT_MIN } from './frame-codec';

/** One input row: its values and, per output key, the index of that key in `vals` (-1 = absent). */
export interface BucketRow {
  vals: ArrayLike<number>;
  map: ArrayLike<number>;
  /** Samples behind this row: 1 for a raw frame, the rollup's count for a rollup row. */
  n: number;
}

/**
 * Aggregates rows (oldest first) into stats for `nKeys` keys. `fromRollups` = the rows are themselves
 * rollups ([min,max,avg,last] per key at `map[k]`): their avg is weighted by their sample count.
 */
export function rollupBucket(rows: readonly BucketRow[], nKeys: number, fromRollups: boolean): Float64Array {
  const out = new Float64Array(nKeys * ROLLUP_STATS).fill(NaN);
  const sum = new Float64Array(nKeys);
  const weight = new Float64Array(nKeys);
  for (const r of rows) {
    for (let k = 0; k < nKeys; k++) {
      const at = r.map[k];
      if (at < 0) continue;
      const o = k * ROLLUP_STATS;
      const lo = fromRollups ? r.vals[at + STAT_MIN] : r.vals[at];
      const hi = fromRollups ? r.vals[at + STAT_MAX] : r.vals[at];
      const avg = fromRollups ? r.vals[at + STAT_AVG] : r.vals[at];
      const last = fromRollups ? r.vals[at + STAT_LAST] : r.vals[at];
      if (lo === undefined || Number.isNaN(avg)) continue;
      if (!(out[o + STAT_MIN] <= lo)) out[o + STAT_MIN] = lo;
      if (!(out[o + STAT_MAX] >= hi)) out[o + STAT_MAX] = hi;
      sum[k] += avg * r.n;
      weight[k] += r.n;
      if (!Number.isNaN(last)) out[o + STAT_LAST] = last;
    }
  }
  for (let k = 0; k < nKeys; k++) if (weight[k] > 0) out[k * ROLLUP_STATS + STAT_AVG] = sum[k] / weight[k];
  return out;
}

/** Start of the bucket of width `ms` holding `ts`. */
export function bucketStart(ts: number, ms: number): number {
  return Math.floor(ts / ms) * ms;
}
