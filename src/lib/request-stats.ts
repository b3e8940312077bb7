/** Percentiles of per-request figures, over a range and per time bucket (columnar, for uPlot). Pure. */

/** The percentiles the Requests view shows. */
export const PERCENTILES = [50, 95, 99] as const;

/** Nearest-rank percentile of `sorted` (ascending); null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50, p95, p99 and how many values they come from. */
export interface Summary {
  n: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** The summary of the known (non-null, finite) values. */
export function summarize(values: readonly (number | null)[]): Summary {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  return { n: v.length, p50: percentile(v, 50), p95: percentile(v, 95), p99: percentile(v, 99) };
}

/** Per bucket: start (s, uPlot's unit), request count, and p50/p95/p99 of one figure. */
export interface BucketSeries {
  ts: number[];
  n: number[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
}

/**
 * Buckets of `bucketMs` from `from` to `to` (ms), each with the percentiles of the values whose time falls
 * in it; empty buckets are kept (null) so a chart shows the gap rather than joining across it.
 */
export function bucketPercentiles(times: readonly number[], values: readonly (number | null)[], from: number, to: number, bucketMs: number): BucketSeries {
  const first = Math.floor(from / bucketMs) * bucketMs;
  const count = Math.max(0, Math.ceil((to - first) / bucketMs));
  const groups: number[][] = Array.from({ length: count }, () => []);
  times.forEach((t, i) => {
    const v = values[i];
    const b = Math.floor((t - first) / bucketMs);
    if (v !== null && Number.isFinite(v) && b >= 0 && b < count) groups[b].push(v);
  });
  const out: BucketSeries = { ts: [], n: [], p50: [], p95: [], p99: [] };
  groups.forEach((g, i) => {
    const s = summarize(g);
    out.ts.push((first + i * bucketMs) / 1000);
    out.n.push(s.n);
    out.p50.push(s.p50);
    out.p95.push(s.p95);
    out.p99.push(s.p99);
  });
  return out;
}
