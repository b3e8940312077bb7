import type { ExporterHistory } from '../src/lib/host-snapshot';
import { ColumnRing, ringCapacity } from './ring';

/**
 * Host and GPU samples of the history window. Every key keeps 8-byte floats: byte counts exceed what a
 * float32 holds exactly, and there are few host keys (see exporter/README.md for the cost).
 */
export class History {
  readonly ring: ColumnRing;

  constructor(historyMs: number, intervalMs: number) {
    this.ring = new ColumnRing(ringCapacity(historyMs, intervalMs));
  }

  push(ts: number, values: Record<string, number | null>): void {
    this.ring.push(ts, values);
  }

  get size(): number {
    return this.ring.size;
  }

  /**
   * Samples with since < ts <= until, columnar, the oldest `limit` of them (all when no limit: what
   * dashboards before paging ask for); `more`/`next` say where the next page starts.
   */
  since(since: number, intervalMs: number, until = Infinity, limit = Infinity): ExporterHistory & { more: boolean; next: number | null } {
    const p = this.ring.page(since, until, limit);
    return { version: 1, intervalMs, ts: p.ts, series: p.series, more: p.more, next: p.more ? (p.ts.at(-1) ?? null) : null };
  }
}
