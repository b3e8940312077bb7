import { snapshotSeries, type ExporterHistory } from '../host-snapshot';
import { exporterSnapshot } from './exporter-sim';

/** How much host and GPU history the simulated exporter holds (the real one's default window). */
export const SIM_HISTORY_MS = 24 * 3600_000;
/** The simulated exporter samples once a second, as the real one does by default. */
export const SIM_SAMPLE_MS = 1000;

/** The GPU's load at a time, from servers replayed forward (times asked never go back). */
export type LoadReplay = (t: number) => number;

/**
 * The simulated exporter's /api/v1/history: the samples it would have taken every second since the
 * simulation began, rebuilt by replaying the simulated servers from their birth (their state depends only
 * on the time). A replay is kept between pages, which the dashboard asks for oldest first.
 */
export class HostHistory {
  readonly #origin: number;
  readonly #newReplay: () => LoadReplay;
  #replay: { load: LoadReplay; last: number } | null = null;

  constructor(origin: number, newReplay: () => LoadReplay) {
    this.#origin = origin;
    this.#newReplay = newReplay;
  }

  #load(t: number): number {
    if (!this.#replay || t < this.#replay.last) this.#replay = { load: this.#newReplay(), last: -Infinity };
    this.#replay.last = t;
    return this.#replay.load(t);
  }

  /** Samples with since < ts <= until taken by `now`, the oldest `limit` of them, in the real exporter's layout. */
  page(since: number, until: number, limit: number, now: number): ExporterHistory & { more: boolean; next: number | null } {
    const first = Math.max(this.#origin, now - SIM_HISTORY_MS, since + 1);
    const last = Math.min(until, now);
    const ts: number[] = [];
    const series: Record<string, (number | null)[]> = {};
    let t = this.#origin + Math.ceil((first - this.#origin) / SIM_SAMPLE_MS) * SIM_SAMPLE_MS;
    for (; t <= last && ts.length < limit; t += SIM_SAMPLE_MS) {
      const values = snapshotSeries(exporterSnapshot(this.#origin, t, this.#load(t)));
      for (const [k, v] of Object.entries(values)) (series[k] ??= new Array(ts.length).fill(null)).push(v);
      ts.push(t);
    }
    const more = t <= last;
    return { version: 1, intervalMs: SIM_SAMPLE_MS, ts, series, more, next: more ? (ts.at(-1) ?? null) : null };
  }
}
