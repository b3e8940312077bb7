import type { LlamaHistoryPage, WatchEvent, WatchedServer } from '../exporter-llama';
import { fetchIo } from '../http-request';
import { LlamaTick } from '../llama-tick';
import { KEYS, parseSeriesKey } from '../series-keys';
/** How often the simulated exporter "read" each simulated llama-server it watches. */
export const SIM_WATCH_MS = 2000;
/**
 * How far back it keeps their history (a real exporter's --llama-history 1h): each page is rebuilt by
 * replaying reads, about 0.7 ms each, so a day (43,200 reads) would keep the database worker busy for half a minute.
 */
export const SIM_WATCH_HISTORY_MS = 3600_000;

/** A simulated server's reply at a time (the simulation's own answer). */
export type SimAnswer = (url: string, method: string, t: number) => { status: number; contentType: string; body: string };

/** A fresh copy of the simulation to replay: its answers, and when the process serving a model started. */
export interface SimCopy {
  answer: SimAnswer;
  /** Start of the process serving `model` (null: the plain server) at `t`; null when none runs. */
  startedAt(model: string | null, t: number): number | null;
}

/** A copy of the simulation being read forward by the dashboard's tick. */
interface Replay {
  copy: SimCopy;
  tick: LlamaTick;
  clock: { t: number };
  /** Time of the last read. */
  last: number;
}

/**
 * What the simulated exporter watched of one simulated llama-server (`--llama URL` on a real one): its
 * entry in the snapshot and its pages of /api/v1/history?llama=. The pages are rebuilt on demand by
 * running the dashboard's own tick (lib/llama-tick.ts, as the real exporter does) over a fresh copy of
 * the simulation, every SIM_WATCH_MS since the simulation began; a copy is kept between pages, which the
 * dashboard asks for oldest first, and each uptime counts from its process start as a watch running all
 * along would have it.
 */
export class WatchHistory {
  readonly url: string;
  readonly #origin: number;
  readonly #info: { build: string; model: string | null; isRouter: boolean };
  readonly #newCopy: () => SimCopy;
  #replay: Replay | null = null;

  constructor(url: string, origin: number, info: { build: string; model: string | null; isRouter: boolean }, newCopy: () => SimCopy) {
    this.url = url;
    this.#origin = origin;
    this.#info = info;
    this.#newCopy = newCopy;
  }

  /** Oldest and newest read held at `now` (times on the SIM_WATCH_MS grid from the origin). */
  #span(now: number): { from: number; to: number } {
    const grid = (t: number, up: boolean) => this.#origin + (up ? Math.ceil : Math.floor)((t - this.#origin) / SIM_WATCH_MS) * SIM_WATCH_MS;
    return { from: grid(Math.max(this.#origin, now - SIM_WATCH_HISTORY_MS), true), to: grid(now, false) };
  }

  /** The snapshot's entry for this server at `now`. */
  status(now: number): WatchedServer {
    const span = this.#span(now);
    return { url: this.url, health: 'up', message: null, ...this.#info, intervalMs: SIM_WATCH_MS, lastOkTs: span.to, from: span.from, to: span.to };
  }

  #newReplay(): Replay {
    const copy = this.#newCopy();
    const clock = { t: this.#origin };
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const r = copy.answer(String(input), init?.method ?? 'GET', clock.t);
      return new Response(r.body, { status: r.status, headers: { 'Content-Type': r.contentType } });
    }) as typeof globalThis.fetch;
    const io = fetchIo({ env: { fetch, pageProtocol: null, pageOrigin: null }, baseUrl: this.url, apiKey: null, timeoutMs: 10_000, signal: new AbortController().signal });
    return { copy, tick: new LlamaTick({ io, now: () => clock.t, url: this.url, pageOrigin: null, hasApiKey: false }), clock, last: -Infinity };
  }

  /** One read of the replayed server at `t`, with the read before it when the last one was not just before. */
  async #tickAt(t: number) {
    if (!this.#replay || this.#replay.last >= t) this.#replay = this.#newReplay();
    const r = this.#replay;
    // Rates need the read before: a page that starts after a jump reads once more first, as a restarted exporter would.
    if (r.last < t - SIM_WATCH_MS && t - SIM_WATCH_MS >= this.#origin) {
      r.clock.t = t - SIM_WATCH_MS;
      await r.tick.tick();
    }
    r.clock.t = t;
    r.last = t;
    const read = await r.tick.tick();
    // A replay starts at the page, but the exporter it stands for watched since the simulation began: its
    // uptime counts from the process start, not from the replay's first read.
    for (const key of Object.keys(read.values)) {
      const { name, labels } = parseSeriesKey(key);
      if (name !== KEYS.uptime) continue;
      const start = r.copy.startedAt(labels.model ?? null, t);
      if (start !== null) read.values[key] = (t - Math.max(start, this.#origin)) / 1000;
    }
    return read;
  }

  /** One page (since < ts <= until, the oldest `limit`), in the layout of the real exporter's. */
  async page(since: number, until: number, limit: number, now: number): Promise<LlamaHistoryPage> {
    const span = this.#span(now);
    const last = Math.min(until, span.to);
    const ts: number[] = [];
    const series: Record<string, (number | null)[]> = {};
    const events: WatchEvent[] = [];
    let t = Math.max(span.from, this.#origin + (Math.floor((since - this.#origin) / SIM_WATCH_MS) + 1) * SIM_WATCH_MS);
    for (; t <= last && ts.length < limit; t += SIM_WATCH_MS) {
      const r = await this.#tickAt(t);
      for (const [k, v] of Object.entries(r.values)) (series[k] ??= new Array(ts.length).fill(null)).push(v);
      for (const col of Object.values(series)) if (col.length === ts.length) col.push(null);
      ts.push(t);
      events.push(...r.events);
    }
    const more = t <= last;
    return {
      version: 1, url: this.url, build: this.#info.build, model: this.#info.model, intervalMs: SIM_WATCH_MS,
      ts, series, events, more, next: more ? (ts.at(-1) ?? null) : null,
    };
  }
}
