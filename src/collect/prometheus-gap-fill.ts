/**
 * Fills the spans a directly polled llama-server's history is missing from a Prometheus that scrapes the
 * same server (lib/prom-gap-plan.ts says which target and how to read it). Runs after every good check of
 * the Prometheus endpoint, and only on spans that ended a minute ago or more: a companion exporter's
 * filler checks every 30 s, so where both know the server the exporter's fill is stored first and this
 * one takes only what is still missing. A span is asked for once: what was filled is marked 'filled' with
 * a Prometheus source, and a span Prometheus had nothing for is remembered until reload.
 */

import type { Endpoint, SampleFrame } from '../lib/types';
import { filledDetail, planGaps, subtract, type Span } from '../lib/gap-plan';
import { fillChunks, fillQuery, fillSelector, PROM_SOURCE, samplesFromMatrix } from '../lib/prom-gap-plan';
import type { PromResult } from '../lib/prometheus-api';
import { hostOf } from '../lib/base-url';
import type { GapStore } from './llama-gap-fill';

/** Each matched endpoint is checked again this often (and at once when first seen). */
const CHECK_MS = 30_000;
/** Spans younger than this are left to an exporter's filler (which checks every 30 s) and to polling. */
export const AFTER_EXPORTER_MS = 60_000;
/** How far back a fill reaches: the raw tier's usual span; older history lives in Prometheus itself. */
export const FILL_LOOKBACK_MS = 24 * 3600_000;

export interface PromGapFillerOptions {
  prometheus: Endpoint;
  store: GapStore;
  endpoints: () => Endpoint[];
  /** A range query (seconds) against this Prometheus. */
  queryRange: (expr: string, start: number, end: number, step: number) => Promise<PromResult>;
  now: () => number;
}

export class PrometheusGapFiller {
  readonly #o: PromGapFillerOptions;
  readonly #checked = new Map<number, number>();
  readonly #empty = new Map<number, Span[]>();
  readonly #startedAt: number;
  #busy = false;
  /** The last failure, in words, for the Prometheus endpoint's status; null when the last fill went through. */
  problem: string | null = null;

  constructor(o: PromGapFillerOptions) {
    this.#o = o;
    this.#startedAt = o.now();
  }

  /** Checks the llama endpoints this Prometheus scrapes that are due. Never runs twice at once; never throws. */
  async run(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const now = this.#o.now();
      const all = this.#o.endpoints();
      const age = this.#o.store.promFillAgeMs?.() ?? AFTER_EXPORTER_MS;
      // Right after a page load both fillers start: give an exporter's filler its first turn.
      if (all.some((e) => e.enabled && e.kind === 'exporter') && now - this.#startedAt < age) return;
      for (const ep of all) {
        if (!ep.enabled || ep.kind !== 'llama') continue;
        const sel = fillSelector(this.#o.prometheus.id, ep, this.#o.store.promLink?.(ep.id) ?? null);
        if (!sel || now - (this.#checked.get(ep.id) ?? -Infinity) < CHECK_MS) continue;
        this.#checked.set(ep.id, now);
        await this.#fill(ep, fillQuery(sel), now, age);
      }
      this.problem = null;
    } catch (e) {
      this.problem = `Filling llama-server history from this Prometheus failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.#busy = false;
    }
  }

  async #fill(ep: Endpoint, expr: string, now: number, age: number): Promise<void> {
    const stepS = Math.max(1, Math.round(ep.intervalMs / 1000));
    const minGapMs = Math.max(3 * ep.intervalMs, 3000);
    const window = { from: Math.max(ep.createdAt, now - FILL_LOOKBACK_MS), to: now - age };
    if (window.to <= window.from) return;
    const c = this.#o.store.coverage(ep.id, window.from, window.to);
    const gaps = subtract(planGaps({ ...c, window, minGapMs }), this.#empty.get(ep.id) ?? []);
    for (const gap of gaps) {
      for (const { start, end } of fillChunks(gap, stepS)) {
        const r = await this.#o.queryRange(expr, start, end, stepS);
        if (!r.ok) throw new Error(`the history of ${hostOf(ep.url)} could not be read (${r.failure.kind})`);
        if (r.data.resultType !== 'matrix') throw new Error(`Prometheus answered a ${r.data.resultType}, not a range`);
        const samples = samplesFromMatrix(r.data.result, gap);
        if (samples.length === 0) continue;
        const frames: SampleFrame[] = samples.map((s) => ({ endpointId: ep.id, ts: s.ts, values: s.values }));
        const span = { from: frames[0].ts, to: frames[frames.length - 1].ts };
        const source = `${PROM_SOURCE}${hostOf(this.#o.prometheus.url)}`;
        this.#o.store.saveBackfill(frames, [{ endpointId: ep.id, ts: span.from, kind: 'filled', detail: filledDetail(span, source) }]);
      }
      // What Prometheus had is stored and marked; the rest of the span it does not have.
      this.#empty.set(ep.id, [...(this.#empty.get(ep.id) ?? []), gap]);
    }
  }
}
