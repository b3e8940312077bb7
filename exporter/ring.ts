/**
 * A fixed-size columnar ring of samples: one Float64Array of times and one typed array per series key,
 * written in place, oldest overwritten first. An object per sample costs hundreds of bytes; here a sample
 * costs 8 bytes for its time plus 4 or 8 per key. Null is stored as NaN (the producers turn NaN into
 * null before it gets here, so nothing real is lost).
 */

type Column = Float64Array | Float32Array;

/** Rows of one read, columnar; every key the ring holds is there, null where a row has no value. */
export interface RingPage {
  ts: number[];
  series: Record<string, (number | null)[]>;
  /** Rows left after this page (within until). */
  more: boolean;
}

export class ColumnRing {
  readonly capacity: number;
  readonly #ts: Float64Array;
  readonly #cols = new Map<string, Column>();
  /** Push count when each key was last given (null counts: a GPU that reports no utilisation still has one). */
  readonly #given = new Map<string, number>();
  readonly #precise: (key: string) => boolean;
  #next = 0;
  #size = 0;
  #pushes = 0;

  /** `precise(key)` picks 8-byte floats (counters, byte counts, times); other keys get 4-byte floats. */
  constructor(capacity: number, precise: (key: string) => boolean = () => true) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.#ts = new Float64Array(this.capacity);
    this.#precise = precise;
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes held by the arrays (what the ring costs, all columns allocated for the full window). */
  get bytes(): number {
    let n = this.#ts.byteLength;
    for (const c of this.#cols.values()) n += c.byteLength;
    return n;
  }

  get keys(): string[] {
    return [...this.#cols.keys()];
  }

  /** Oldest and newest times held; null when empty. */
  get span(): { from: number; to: number } | null {
    if (this.#size === 0) return null;
    return { from: this.#ts[this.#index(0)], to: this.#ts[this.#index(this.#size - 1)] };
  }

  push(ts: number, values: Record<string, number | null>): void {
    const at = this.#next;
    this.#ts[at] = ts;
    for (const c of this.#cols.values()) c[at] = NaN;
    for (const k in values) {
      const v = values[k];
      let c = this.#cols.get(k);
      this.#given.set(k, this.#pushes);
      if (!c) {
        c = new (this.#precise(k) ? Float64Array : Float32Array)(this.capacity).fill(NaN);
        this.#cols.set(k, c);
      }
      c[at] = v === null ? NaN : v;
    }
    this.#next = (at + 1) % this.capacity;
    this.#size = Math.min(this.#size + 1, this.capacity);
    // Series that stopped (a router model unloaded, a GPU gone) would hold a full column for nothing.
    if (++this.#pushes % this.capacity === 0) this.#dropEmpty();
  }

  /** Rows with since < ts <= until, oldest first, at most `limit`. */
  page(since: number, until = Infinity, limit = Infinity): RingPage {
    const rows: number[] = [];
    let more = false;
    for (let i = 0; i < this.#size; i++) {
      const at = this.#index(i);
      const t = this.#ts[at];
      if (!(t > since) || t > until) continue;
      if (rows.length >= limit) {
        more = true;
        break;
      }
      rows.push(at);
    }
    const series: Record<string, (number | null)[]> = {};
    if (rows.length === 0) return { ts: [], series, more };
    for (const [k, c] of this.#cols) {
      // A float32 printed in full reads 666.6666870117188: 7 digits are what it holds (and half the bytes).
      const short = c instanceof Float32Array;
      const out = rows.map((at) => {
        const v = c[at];
        if (Number.isNaN(v)) return null;
        return short ? Number(v.toPrecision(7)) : v;
      });
      series[k] = out;
    }
    return { ts: rows.map((at) => this.#ts[at]), series, more };
  }

  #index(i: number): number {
    return (this.#next - this.#size + i + this.capacity) % this.capacity;
  }

  /** Keys not given for a whole window are gone from every row. */
  #dropEmpty(): void {
    for (const [k, at] of this.#given) {
      if (this.#pushes - at <= this.capacity) continue;
      this.#cols.delete(k);
      this.#given.delete(k);
    }
  }
}

/** Ring slots for a window at an interval (one more, so the whole window fits). */
export function ringCapacity(windowMs: number, intervalMs: number): number {
  return Math.max(1, Math.ceil(windowMs / intervalMs) + 1);
}

/**
 * Which llama series need 8-byte floats: counters (`*_total`) would lose whole tokens in a float32 once
 * past 2^24, and uptime and per-slot decoded counts grow without bound. Rates, ratios and gauges keep 4.
 */
export function llamaPrecise(key: string): boolean {
  const name = key.split('{', 1)[0];
  return name.endsWith('_total') || name === 'uptime_s' || name === 'slot_decoded' || name === 'llamacpp:n_tokens_max';
}
