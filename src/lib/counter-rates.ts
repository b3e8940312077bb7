/**
 * Rates from monotonic counters, pure. A counter that goes down means the process behind it restarted:
 * the new reading becomes the base and no rate is produced for that interval (never a negative rate,
 * never a spike made of a whole previous life's total).
 */

export interface CounterReading {
  /** ms since epoch */
  ts: number;
  values: Record<string, number>;
}

export interface CounterDelta {
  /** Increase since the previous reading; null when there is no usable base (first reading, reset, NaN). */
  delta: number | null;
  reset: boolean;
}

/** Increase of one counter between two readings. */
export function counterDelta(prev: number | undefined, cur: number): CounterDelta {
  if (prev === undefined || !Number.isFinite(prev) || !Number.isFinite(cur)) return { delta: null, reset: false };
  if (cur < prev) return { delta: null, reset: true };
  return { delta: cur - prev, reset: false };
}

/** True when any counter present in both readings went down. */
export function detectReset(prev: CounterReading | null, cur: CounterReading, counterNames: Iterable<string>): boolean {
  if (!prev) return false;
  for (const name of counterNames) {
    const c = cur.values[name];
    if (c !== undefined && counterDelta(prev.values[name], c).reset) return true;
  }
  return false;
}

/** Δcounter / Δt in units per second; null without a base, on reset, or when no time passed. */
export function perSecond(prev: CounterReading | null, cur: CounterReading, name: string): number | null {
  if (!prev) return null;
  const dt = (cur.ts - prev.ts) / 1000;
  if (!(dt > 0)) return null;
  const cv = cur.values[name];
  if (cv === undefined) return null;
  const { delta } = counterDelta(prev.values[name], cv);
  return delta === null ? null : delta / dt;
}

/**
 * Δnumerator / Δdenominator of two counters, e.g. tokens per second of processing time.
 * Null when the denominator did not move (nothing happened: a speed is unknown, not zero) or on reset.
 */
export function counterRatio(
  prev: CounterReading | null,
  cur: CounterReading,
  numerator: string,
  denominator: string,
): number | null {
  if (!prev) return null;
  const n = cur.values[numerator];
  const d = cur.values[denominator];
  if (n === undefined || d === undefined) return null;
  const dn = counterDelta(prev.values[numerator], n).delta;
  const dd = counterDelta(prev.values[denominator], d).delta;
  if (dn === null || dd === null || !(dd > 0)) return null;
  const ratio = dn / dd;
  return Number.isFinite(ratio) ? ratio : null;
}

export interface WindowEntry {
  ts: number;
  count: number;
}

/**
 * Events per minute over a sliding window ending at `now`: the entries are the counts observed per tick.
 * Returns the kept entries (older ones dropped) and the rate scaled to one minute. While less than a
 * window has been observed the rate is scaled from the observed span, so it does not ramp up slowly.
 */
export function perMinute(
  entries: readonly WindowEntry[],
  now: number,
  windowMs = 60_000,
  observedSince: number = now - windowMs,
): { entries: WindowEntry[]; rate: number } {
  const from = now - windowMs;
  const kept = entries.filter((e) => e.ts > from && e.ts <= now);
  const total = kept.reduce((s, e) => s + e.count, 0);
  const span = Math.min(windowMs, Math.max(now - observedSince, 1_000));
  return { entries: kept, rate: (total * 60_000) / span };
}
