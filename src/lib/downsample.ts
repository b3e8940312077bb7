/**
 * Min/max-preserving downsampling for charts: each bucket (two pixels' worth of time) keeps the
 * smallest and the largest value of every series, in the order they happened, so a one-second spike
 * survives a seven-day view. Output is columnar and aligned, ready for uPlot.
 */

export interface Downsampled {
  /** Same unit as the input timestamps. */
  ts: number[];
  values: (number | null)[][];
}

const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/**
 * A gap threshold from the data's own rhythm: a pause of more than 3 typical steps (and at least
 * 5 s more than one step) becomes a break in the line, so an outage is visible instead of bridged.
 */
export function gapThreshold(ts: ArrayLike<number>): number {
  const steps: number[] = [];
  const stride = Math.max(1, Math.floor(ts.length / 200));
  for (let i = stride; i < ts.length; i += stride) steps.push((ts[i] - ts[i - stride]) / stride);
  if (steps.length === 0) return Infinity;
  steps.sort((a, b) => a - b);
  const median = steps[steps.length >> 1];
  return Math.max(3 * median, median + 5000);
}

/**
 * Reduces rows (ts ascending; one column per series, NaN = missing) to at most `points` output rows
 * between `from` and `to`. At or under `points` rows the input passes through. A null row is
 * inserted wherever consecutive rows are more than `gapMs` apart.
 */
export function downsampleMinMax(
  ts: ArrayLike<number>, series: ArrayLike<number>[], from: number, to: number, points: number, gapMs = gapThreshold(ts),
): Downsampled {
  const out: Downsampled = { ts: [], values: series.map(() => []) };
  const n = ts.length;
  const pushGap = (a: number, b: number) => {
    if (b - a > gapMs) {
      out.ts.push((a + b) / 2);
      for (const col of out.values) col.push(null);
    }
  };
  if (n <= points) {
    for (let i = 0; i < n; i++) {
      if (i > 0) pushGap(ts[i - 1], ts[i]);
      out.ts.push(ts[i]);
      for (let s = 0; s < series.length; s++) out.values[s].push(orNull(series[s][i]));
    }
    return out;
  }
  const buckets = Math.max(1, Math.floor(points / 2));
  const width = Math.max(1, to - from + 1) / buckets;
  const bucketOf = (t: number) => Math.min(buckets - 1, Math.max(0, Math.floor((t - from) / width)));
  let start = 0;
  while (start < n) {
    const b = bucketOf(ts[start]);
    let end = start + 1;
    while (end < n && bucketOf(ts[end]) === b) end++;
    if (start > 0) pushGap(ts[start - 1], ts[start]);
    emitBucket(out, ts, series, start, end);
    start = end;
  }
  return out;
}

function emitBucket(out: Downsampled, ts: ArrayLike<number>, series: ArrayLike<number>[], start: number, end: number): void {
  if (end - start === 1) {
    out.ts.push(ts[start]);
    for (let s = 0; s < series.length; s++) out.values[s].push(orNull(series[s][start]));
    return;
  }
  out.ts.push(ts[start], ts[end - 1]);
  for (let s = 0; s < series.length; s++) {
    const col = series[s];
    let minV = Infinity, minI = -1, maxV = -Infinity, maxI = -1;
    for (let i = start; i < end; i++) {
      if (col[i] < minV) { minV = col[i]; minI = i; }
      if (col[i] > maxV) { maxV = col[i]; maxI = i; }
    }
    const dst = out.values[s];
    if (minI < 0) dst.push(null, null);
    else if (minI <= maxI) dst.push(minV, maxV);
    else dst.push(maxV, minV);
  }
}
