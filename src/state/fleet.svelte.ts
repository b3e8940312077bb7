import { SvelteMap } from 'svelte/reactivity';
import { untrack } from 'svelte';
import type { Endpoint, HistoryQuery, HistoryResult, LatestValues } from '../lib/types';
import { emptyValues, promRows, type FleetRow, type PromAnswers } from '../lib/fleet-rows';
import { DISCOVERY, FLEET_COLUMNS, instanceCharts, rateWindow, sparklineExpr, stepFor, type InstanceKind } from '../lib/promql';
import {
  alignMatrix, explainPromFailure, promQuery, promQueryRange, PromCancelled, type PromResult, type PromTarget, type RangeSeries, type VectorSample,
} from '../lib/prometheus-api';
import { errorText } from '../lib/error-text';
import { KEYS } from '../lib/series-keys';
import type { InstanceChart } from '../lib/prom-copy';
import type { CopyReach } from './prom-copies.svelte';
import { endpoints } from './endpoints.svelte';

/** What the fleet needs from the worker for directly polled servers (a subset of DbApi). */
export interface FleetDbSource {
  latest(endpointId: number): Promise<LatestValues | null> | LatestValues | null;
  history(q: HistoryQuery): Promise<HistoryResult> | HistoryResult;
}

/** Sparklines cover this long, in this many points (their pixel width). */
export const SPARK_RANGE_S = 600;
export const SPARK_POINTS = 96;
/** Fleet refresh: the endpoint's interval, but not more often than this. */
const MIN_REFRESH_MS = 2000;
/** Scrape interval guessed from a Prometheus that has no samples yet. */
const DEFAULT_SCRAPE_S = 15;

/** Where the page is (for mixed content and CORS explanations). */
export const page = () => ({ pageProtocol: globalThis.location?.protocol ?? null, pageOrigin: globalThis.location?.origin ?? null });

/** How the page asks the Prometheus of endpoint `ep`. */
export function target(ep: Endpoint, signal?: AbortSignal): PromTarget {
  return { env: { fetch: (i, init) => globalThis.fetch(i, init), ...page() }, url: ep.url, credential: ep.apiKey, timeoutMs: 10_000, signal };
}

const vectorOf = (r: PromResult): VectorSample[] => (r.ok && r.data.resultType === 'vector' ? r.data.result : []);

export type { InstanceChart };

/** The fleet page's data: rows from every Prometheus endpoint and every polled llama-server, kept live. */
export class FleetState {
  #rows = new SvelteMap<number, FleetRow[]>();
  #direct = $state.raw<FleetRow[]>([]);
  #problems = new SvelteMap<number, string>();
  #warnings = new SvelteMap<number, string[]>();
  #scrapeS = new Map<number, number>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stop: AbortController | null = null;
  #db: FleetDbSource | null = null;
  /** Time the last full refresh took from request to rows (ms), for the page's footnote and the bench. */
  #lastMs = $state<number | null>(null);
  #error = $state<string | null>(null);

  readonly rows = $derived([...this.#direct, ...[...this.#rows.values()].flat()]);
  readonly lastMs = $derived(this.#lastMs);
  /** Why the last refresh failed as a whole (in words), or null. */
  readonly error = $derived(this.#error);

  /** Why a Prometheus endpoint gave no rows (in words), or undefined. */
  problem(endpointId: number): string | undefined {
    return this.#problems.get(endpointId);
  }

  /** Prometheus' warnings about the last queries of an endpoint. */
  warnings(endpointId: number): string[] {
    return this.#warnings.get(endpointId) ?? [];
  }

  /** Starts refreshing (the page is open); `db` reads the directly polled servers. */
  start(db: FleetDbSource | null) {
    this.#db = db;
    if (this.#stop) return;
    this.#stop = new AbortController();
    untrack(() => void this.#loop(this.#stop!.signal));
  }

  stop() {
    this.#stop?.abort();
    this.#stop = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #loop(signal: AbortSignal) {
    try {
      await this.refresh(signal);
      this.#error = null;
    } catch (e) {
      // Keep refreshing: the next round may work (the database came back, a server answered again).
      this.#error = `The fleet could not be refreshed: ${errorText(e)}. It is tried again in a few seconds.`;
    }
    if (signal.aborted) return;
    const every = Math.max(MIN_REFRESH_MS, Math.min(...endpoints.prometheus.map((e) => e.intervalMs), 5000));
    this.#timer = setTimeout(() => void this.#loop(signal), every);
  }

  /** One refresh of every source. */
  async refresh(signal?: AbortSignal) {
    const t0 = performance.now();
    const proms = endpoints.prometheus.filter((e) => e.enabled);
    for (const id of [...this.#rows.keys()]) if (!proms.some((e) => e.id === id)) this.#rows.delete(id);
    await Promise.all([...proms.map((ep) => this.#refreshProm(ep, signal)), this.#refreshDirect()]);
    this.#lastMs = performance.now() - t0;
  }

  async #refreshProm(ep: Endpoint, signal?: AbortSignal) {
    const t = target(ep, signal);
    try {
      const scrapeS = await this.scrapeInterval(ep, t);
      const w = rateWindow(0, scrapeS);
      const end = Math.floor(Date.now() / 1000);
      const step = stepFor(SPARK_RANGE_S, SPARK_POINTS, scrapeS);
      const start = end - (SPARK_POINTS - 1) * step;
      const [discovery, spark, ...cols] = await Promise.all([
        promQuery(t, DISCOVERY),
        promQueryRange(t, sparklineExpr(rateWindow(step, scrapeS)), start, end, step),
        ...FLEET_COLUMNS.map((c) => promQuery(t, c.expr(w))),
      ]);
      if (!discovery.ok) {
        this.#problems.set(ep.id, explainPromFailure(discovery.failure, { url: ep.url, hasCredential: !!ep.apiKey, pageOrigin: page().pageOrigin }));
        this.#rows.set(ep.id, []);
        return;
      }
      const answers: PromAnswers = {
        discovery: vectorOf(discovery),
        columns: Object.fromEntries(FLEET_COLUMNS.map((c, i) => [c.id, vectorOf(cols[i])])),
        spark: spark.ok && spark.data.resultType === 'matrix' ? { series: spark.data.result, start, step, points: SPARK_POINTS } : null,
      };
      const failed = [spark, ...cols].find((r) => !r.ok);
      if (failed && !failed.ok) this.#problems.set(ep.id, `Some columns are empty: ${explainPromFailure(failed.failure, { url: ep.url, hasCredential: !!ep.apiKey })}`);
      else this.#problems.delete(ep.id);
      const warnings = [...new Set([discovery, spark, ...cols].flatMap((r) => (r.ok ? r.warnings : [])))];
      this.#warnings.set(ep.id, warnings);
      this.#rows.set(ep.id, promRows(ep.id, ep.name, answers));
    } catch (e) {
      if (!(e instanceof PromCancelled)) throw e;
    }
  }

  /** The scrape interval, from how many samples of `up` the last minute holds (over-estimated while young: safe for rate()). */
  async scrapeInterval(ep: Endpoint, t: PromTarget): Promise<number> {
    const r = await promQuery(t, 'max(count_over_time(up[1m]))');
    const n = vectorOf(r)[0]?.value;
    const s = n && n > 1 ? Math.min(300, Math.max(1, Math.round(60 / n))) : (this.#scrapeS.get(ep.id) ?? DEFAULT_SCRAPE_S);
    this.#scrapeS.set(ep.id, s);
    return s;
  }

  async #refreshDirect() {
    const db = this.#db;
    if (!db) return;
    const now = Date.now();
    const rows = await Promise.all(endpoints.llama.map(async (ep): Promise<FleetRow> => {
      const [latest, hist] = await Promise.all([
        db.latest(ep.id),
        db.history({ endpointId: ep.id, keys: [KEYS.genTokensRate], from: now - SPARK_RANGE_S * 1000, to: now, points: SPARK_POINTS }),
      ]);
      const v = latest?.values ?? {};
      const pick = (k: string) => (typeof v[k] === 'number' && Number.isFinite(v[k]) ? (v[k] as number) : null);
      const fills = Object.entries(v).filter(([k, x]) => k.startsWith(`${KEYS.slotCtxFill}{`) && typeof x === 'number').map(([, x]) => x as number);
      const st = endpoints.status(ep.id);
      const values = {
        ...emptyValues(),
        up: st ? (st.state === 'down' || st.state === 'error' ? 0 : st.state === 'disabled' ? null : 1) : null,
        promptTps: pick(KEYS.promptTokensRate), genTps: pick(KEYS.genTokensRate),
        processing: pick('llamacpp:requests_processing'), deferred: pick('llamacpp:requests_deferred'),
        busySlots: pick(KEYS.slotsBusy), ctxFill: fills.length ? Math.max(...fills) : null, liveGenTps: pick(KEYS.genTpsLive),
      };
      return {
        key: `d${ep.id}`, via: 'direct', endpointId: ep.id, direct: true, kind: 'llama', job: ep.name, instance: ep.url,
        model: st?.info.model ?? null, values, spark: hist.values[KEYS.genTokensRate] ?? [],
        reasons: values.ctxFill === null ? { ctxFill: '/slots has not been read yet (it is read only while requests run)' } : {},
      };
    }));
    this.#direct = rows;
  }

  /** How a local copy reads from the Prometheus of endpoint `endpointId`; null when it is no longer listed. */
  async copyReach(endpointId: number): Promise<CopyReach | null> {
    const ep = endpoints.prometheus.find((e) => e.id === endpointId);
    if (!ep) return null;
    const t = target(ep);
    const scrapeS = this.#scrapeS.get(ep.id) ?? (await this.scrapeInterval(ep, t));
    return { endpoint: ep, scrapeS, queryRange: (expr, start, end, step) => promQueryRange(t, expr, start, end, step) };
  }

  /** The charts of one instance behind a Prometheus endpoint over the last `rangeS` seconds, `widthPx` wide. */
  async instanceCharts(endpointId: number, kind: InstanceKind, job: string, instance: string, rangeS: number, widthPx: number, model: string | null = null):
    Promise<{ charts: InstanceChart[]; problem: string | null; warnings: string[] }> {
    const ep = endpoints.prometheus.find((e) => e.id === endpointId);
    if (!ep) return { charts: [], problem: 'This Prometheus endpoint is no longer in the list.', warnings: [] };
    const t = target(ep);
    const scrapeS = this.#scrapeS.get(ep.id) ?? (await this.scrapeInterval(ep, t));
    const step = stepFor(rangeS, widthPx, scrapeS);
    const end = Math.floor(Date.now() / 1000 / step) * step;
    const start = end - Math.floor(rangeS / step) * step;
    const specs = instanceCharts(kind, { job, instance }, rateWindow(step, scrapeS), model);
    const answers = await Promise.all(specs.map((s) => promQueryRange(t, s.expr, start, end, step)));
    let problem: string | null = null;
    const charts = specs.map((s, i): InstanceChart => {
      const r = answers[i];
      if (!r.ok) problem ??= explainPromFailure(r.failure, { url: ep.url, hasCredential: !!ep.apiKey, pageOrigin: page().pageOrigin });
      const series: RangeSeries[] = r.ok && r.data.resultType === 'matrix' ? r.data.result : [];
      const { xs, ys } = alignMatrix(series, start, end, step);
      if (!s.by) return { id: s.id, label: s.label, series: [{ key: s.id, label: s.label }], ts: xs, values: { [s.id]: ys[0] ?? new Array<null>(xs.length).fill(null) } };
      const lines = series.map((x, k) => ({ key: `${s.id}:${x.labels[s.by!] ?? k}`, label: `${s.by} ${x.labels[s.by!] ?? '?'}`, col: ys[k] }));
      return { id: s.id, label: s.label, series: lines, ts: xs, values: Object.fromEntries(lines.map((l) => [l.key, l.col])) };
    });
    return { charts, problem, warnings: [...new Set(answers.flatMap((r) => (r.ok ? r.warnings : [])))] };
  }
}

/** The fleet page's state. */
export const fleet = new FleetState();
