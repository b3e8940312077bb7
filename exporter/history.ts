import type { ExporterHistory } from '../src/lib/host-snapshot';

/** Fixed-size ring of past samples (flattened series values), oldest overwritten first. */
export class History {
  readonly #ts: number[];
  readonly #values: Record<string, number | null>[];
  readonly #capacity: number;
  #next = 0;
  #size = 0;

  constructor(historyMs: number, intervalMs: number) {
    this.#capacity = Math.max(1, Math.ceil(historyMs / intervalMs) + 1);
    this.#ts = new Array(this.#capacity);
    this.#values = new Array(this.#capacity);
  }

  push(ts: number, values: Record<string, number | null>): void {
    this.#ts[this.#next] = ts;
    this.#values[this.#next] = values;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#size = Math.min(this.#size + 1, this.#capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Samples strictly newer than `since` (ms), columnar; a series absent from a sample is null there. */
  since(since: number, intervalMs: number): ExporterHistory {
    const start = (this.#next - this.#size + this.#capacity) % this.#capacity;
    const picked: number[] = [];
    for (let i = 0; i < this.#size; i++) {
      const at = (start + i) % this.#capacity;
      if (this.#ts[at] > since) picked.push(at);
    }
    const series: Record<string, (number | null)[]> = {};
    picked.forEach((at, row) => {
      for (const [k, v] of Object.entries(this.#values[at])) {
        (series[k] ??= new Array(picked.length).fill(null))[row] = v;
      }
    });
    return { version: 1, intervalMs, ts: picked.map((at) => this.#ts[at]), series };
  }
}
