/**
 * Fills the gaps in a llama-server's history from a companion exporter that watches the same server
 * (`--llama`): on start and after any outage of the dashboard's own polling, the spans where nothing
 * usable was stored (lib/gap-plan.ts) are read from the exporter's /api/v1/history?llama= in pages and
 * stored through the same path as polled samples, each page's span marked 'filled'. A span is asked for
 * once: what was filled is marked, and a span the exporter had nothing for is remembered until reload.
 */

import type { Endpoint, SampleFrame, SeriesEvent } from '../lib/types';
import { coversEndpoint, llamaHistoryProblem, type ExporterLink, type LlamaHistoryPage, type WatchedServer } from '../lib/exporter-llama';
import { filledDetail, planGaps, subtract, type Span } from '../lib/gap-plan';
import type { JsonResult } from '../lib/http-request';
import { hostOf } from '../lib/base-url';
import { isSeriesEventKind } from '../lib/series-events';
import type { PrometheusLink } from '../lib/prom-gap-plan';

/** What the filler needs from storage (the worker API gives it; db/backfill.ts does the work). */
export interface GapStore {
  coverage(endpointId: number, from: number, to: number): { covered: number[]; filled: Span[] };
  saveBackfill(frames: SampleFrame[], events: SeriesEvent[]): void;
  link(llamaEndpointId: number): ExporterLink | null;
  /** The hand-made link of a llama endpoint to a Prometheus target (lib/prom-gap-plan.ts); absent: none are read. */
  promLink?(llamaEndpointId: number): PrometheusLink | null;
  /**
   * How old a span must be before Prometheus fills it (ms), when a test build lowers it (metadata
   * `test.promFillAgeMs`, so an e2e test need not wait a minute); absent or null: AFTER_EXPORTER_MS.
   */
  promFillAgeMs?(): number | null;
}

/** Each covered endpoint is checked again this often (and at once when first seen). */
const CHECK_MS = 30_000;
const PAGE = 3600;

export interface GapFillerOptions {
  exporter: Endpoint;
  store: GapStore;
  endpoints: () => Endpoint[];
  get: (path: string) => Promise<JsonResult>;
  now: () => number;
}

export class LlamaGapFiller {
  readonly #o: GapFillerOptions;
  readonly #checked = new Map<number, number>();
  /** Spans (dashboard clock) the exporter had no samples for, per endpoint. */
  readonly #empty = new Map<number, Span[]>();
  #busy = false;
  /** The last failure, in words, for the exporter's status; null when the last fill went through. */
  problem: string | null = null;

  constructor(o: GapFillerOptions) {
    this.#o = o;
  }

  /** After a snapshot: checks the covered endpoints that are due. Never runs twice at once; never throws. */
  async run(watched: readonly WatchedServer[], offsetMs: number): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const now = this.#o.now();
      for (const w of watched) {
        if (w.from === null || w.to === null) continue;
        for (const ep of this.#o.endpoints()) {
          if (!ep.enabled || !coversEndpoint(this.#o.exporter.id, w, ep, this.#o.store.link(ep.id))) continue;
          if (now - (this.#checked.get(ep.id) ?? -Infinity) < CHECK_MS) continue;
          this.#checked.set(ep.id, now);
          await this.#fill(ep, w, offsetMs);
        }
      }
      this.problem = null;
    } catch (e) {
      this.problem = `Filling llama-server history from this exporter failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.#busy = false;
    }
  }

  async #fill(ep: Endpoint, w: WatchedServer, offsetMs: number): Promise<void> {
    const minGapMs = Math.max(3 * ep.intervalMs, 3 * w.intervalMs, 2000);
    // The newest seconds are left to the next check: the dashboard's own sample may still be on its way.
    const window = { from: Math.max(w.from! + offsetMs, ep.createdAt), to: w.to! + offsetMs - minGapMs };
    if (window.to <= window.from) return;
    const c = this.#o.store.coverage(ep.id, window.from, window.to);
    const gaps = subtract(planGaps({ ...c, window, minGapMs }), this.#empty.get(ep.id) ?? []);
    for (const gap of gaps) await this.#fillGap(ep, w, gap, offsetMs);
  }

  async #fillGap(ep: Endpoint, w: WatchedServer, gap: Span, offsetMs: number): Promise<void> {
    let since = gap.from - offsetMs - 1;
    const until = gap.to - offsetMs;
    let any = false;
    for (;;) {
      const q = `?llama=${encodeURIComponent(w.url)}&since=${since}&until=${until}&limit=${PAGE}`;
      const r = await this.#o.get(`/api/v1/history${q}`);
      if (!r.ok) throw new Error(`the history of ${hostOf(w.url)} could not be read (${r.failure.kind === 'http' ? `HTTP ${r.failure.status}` : r.failure.kind})`);
      const problem = llamaHistoryProblem(r.value);
      if (problem) throw new Error(`the history of ${hostOf(w.url)} is not usable: ${problem}`);
      const page = r.value as LlamaHistoryPage;
      if (page.ts.length > 0) {
        any = true;
        this.#o.store.saveBackfill(...this.#toStore(ep, page, offsetMs));
      }
      if (!page.more || page.next === null) break;
      since = page.next;
    }
    if (!any) this.#empty.set(ep.id, [...(this.#empty.get(ep.id) ?? []), gap]);
  }

  #toStore(ep: Endpoint, page: LlamaHistoryPage, offsetMs: number): [SampleFrame[], SeriesEvent[]] {
    const keys = Object.keys(page.series);
    const frames = page.ts.map((t, i) => {
      const values: Record<string, number | null> = {};
      for (const k of keys) values[k] = page.series[k][i] ?? null;
      return { endpointId: ep.id, ts: t + offsetMs, values };
    });
    const span = { from: frames[0].ts, to: frames[frames.length - 1].ts };
    const events: SeriesEvent[] = [
      { endpointId: ep.id, ts: span.from, kind: 'filled', detail: filledDetail(span, hostOf(this.#o.exporter.url)) },
      ...page.events.filter((e) => isSeriesEventKind(e.kind) && e.kind !== 'filled').map((e) => ({ endpointId: ep.id, ts: e.ts + offsetMs, kind: e.kind, ...(e.detail ? { detail: e.detail } : {}) })),
    ];
    return [frames, events];
  }
}
