/**
 * What the collector needs from a poller, whatever kind of endpoint it polls. A poller keeps its own
 * schedule on the collector's shared clock (collect/tick-clock.ts), never overlaps its own requests, and
 * reports through its context.
 */

import type { Endpoint, EndpointInput, EndpointStatus, SampleFrame, SeriesEvent } from '../lib/types';
import type { FetchFailure } from '../lib/explain-fetch-error';
import { SeriesBudget, tooManySeriesText } from '../lib/series-budget';
import type { RequestRecord } from '../lib/request-tracker';
import { Cancelled, currentPage, request, type HttpEnv, type HttpResult } from './http';
import type { GapStore } from './llama-gap-fill';
import type { MetricsRelay } from './metrics-relay';
import { nextPollAt, onGrid, TickClock } from './tick-clock';

export interface PollerContext {
  endpoint: Endpoint;
  fetch: typeof fetch;
  now: () => number;
  saveFrames(frames: SampleFrame[], events?: SeriesEvent[]): void;
  /** Called whenever the status changes (the collector turns it into a DbEvent). */
  onStatus(status: EndpointStatus): void;
  /**
   * Time of the newest sample stored for this endpoint (this computer's clock), null when none: lets a
   * poller started by a page load ask its source only for what is missing. Absent: nothing is known.
   */
  lastStoredTs?(endpointId: number): number | null;
  /** The newest sample stored for this endpoint, null when none: a llama poller goes on from it (uptime, restarts). */
  lastStored?(endpointId: number): { ts: number; values: Record<string, number | null> } | null;
  /** Request records the tracker made this poll (llama-server only); model '' for a single server. */
  saveRequests?(endpointId: number, model: string, records: RequestRecord[]): void;
  /** How often /slots is read while requests run, for the request tracker (ms); 0 or absent: only at each tick. */
  requestsFastMs?(): number;
  /** Per-request time limit. */
  timeoutMs?: number;
  /** The stored endpoints and what their history covers: an exporter fills llama-server gaps with them. Absent: no filling. */
  endpoints?: () => Endpoint[];
  gaps?: GapStore;
  /** Page protocol/origin for mixed-content and CORS explanations; taken from `location` when absent. */
  page?: { protocol: string | null; origin: string | null };
  /** The clock the collector's pollers share, so the ones due together start together; absent: one of its own. */
  clock?: TickClock;
  /** Exporter streams that carry the /metrics bodies of the servers they watch (collect/metrics-relay.ts); absent: none used. */
  relay?: MetricsRelay;
  /**
   * Called when a poll starts; returns the function to call when it has ended (frames handed on, status
   * set), so that storage can tell when every poll of a tick is done.
   */
  pollStarted?(): () => void;
}

export interface Poller {
  start(): void;
  stop(): void;
  status(): EndpointStatus;
  /** Router endpoints only. Resolve once the model has settled; reject with a message a user can read. */
  loadModel?(model: string): Promise<void>;
  unloadModel?(model: string): Promise<void>;
}

/** One entry per endpoint kind: how to poll it and how to test it once without storing anything. */
export interface PollerKind {
  create(ctx: PollerContext): Poller;
  probe(ctx: PollerContext): Promise<EndpointStatus>;
  /** Says only what answers at the address, reading as little as possible (kinds that can; else probe). */
  identify?(ctx: PollerContext): Promise<EndpointStatus>;
}

/** A SeriesEvent before the poller stamps its endpoint on it. */
export type PollEvent = Omit<SeriesEvent, 'endpointId'>;

/**
 * The loop every poller shares: the next tick scheduled only when the current one has finished, on the
 * endpoint's grid (collect/tick-clock.ts), backoff after unexpected errors, one abort signal that stop()
 * fires, and a status reported only when it changes. Subclasses implement pollOnce, which returns the delay
 * until the next poll counted from this one's start.
 */
export abstract class PollLoop implements Poller {
  protected readonly ctx: PollerContext;
  protected readonly env: HttpEnv;
  protected readonly timeoutMs: number;
  /** Consecutive failed polls; 0 while the endpoint answers. */
  protected failures = 0;
  readonly #stopCtl = new AbortController();
  readonly #unexpected: string;
  readonly #clock: TickClock;
  #cancel: (() => void) | null = null;
  #stopped = true;
  #running = false;
  #status: EndpointStatus;
  readonly #budget: SeriesBudget;
  /** The message the poller last set, before the series-cap note is added to it. */
  #message: string | null = null;
  #capNote: string | null = null;

  /**
   * `unexpected` opens the status message when pollOnce throws; `minTimeoutMs` raises the default per-request
   * limit for sources with large replies.
   */
  constructor(ctx: PollerContext, opts: { unexpected: string; minTimeoutMs?: number }) {
    this.ctx = ctx;
    const page = ctx.page ?? currentPage();
    this.env = { fetch: ctx.fetch, pageProtocol: page.protocol, pageOrigin: page.origin };
    this.timeoutMs = ctx.timeoutMs ?? Math.max(defaultTimeout(ctx.endpoint.intervalMs), opts.minTimeoutMs ?? 0);
    this.#unexpected = opts.unexpected;
    this.#clock = ctx.clock ?? new TickClock(ctx.now);
    this.#status = initialStatus(ctx.endpoint);
    this.#budget = new SeriesBudget(ctx.endpoint.kind);
  }

  abstract pollOnce(): Promise<number>;

  start(): void {
    if (!this.#stopped || this.#stopCtl.signal.aborted) return;
    this.#stopped = false;
    // A tab taking over the database (or a reload) keeps the last owner's pace and phase: the first poll
    // is the last owner's next grid point, so the server is never polled at twice the rate.
    const { id, intervalMs } = this.ctx.endpoint;
    const last = this.ctx.lastStoredTs?.(id) ?? null;
    const now = this.ctx.now();
    this.#schedule(last === null ? now : Math.min(now + intervalMs, Math.max(now, onGrid(last + intervalMs * 0.75, intervalMs))));
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = null;
    this.#stopCtl.abort();
  }

  status(): EndpointStatus {
    return this.#status;
  }

  /** Fires when the poller stops: requests still in flight end quietly. */
  protected get stopSignal(): AbortSignal {
    return this.#stopCtl.signal;
  }

  /**
   * One request to the endpoint; `withKey` false for public paths (no key, so no CORS preflight);
   * `maxBytes` raises the body limit for sources with large replies.
   */
  protected get(path: string, withKey = true, maxBytes?: number): Promise<HttpResult> {
    const ep = this.ctx.endpoint;
    return request(this.env, ep.url, path, { apiKey: withKey ? ep.apiKey : null, timeoutMs: this.timeoutMs, signal: this.#stopCtl.signal, maxBytes });
  }

  protected setStatus(patch: Partial<EndpointStatus>): void {
    if ('message' in patch) this.#message = patch.message ?? null;
    const message = [this.#message, this.#capNote].filter(Boolean).join(' ') || null;
    const next = { ...this.#status, ...patch, message };
    if (JSON.stringify(next) === JSON.stringify(this.#status)) return;
    this.#status = next;
    this.ctx.onStatus(next);
  }

  /**
   * Stamps the endpoint on frames and events and hands them on; nothing when both are empty. Only the
   * series this kind of endpoint stores, within its budget, go out (lib/series-budget.ts); a frame that
   * went over the budget puts a note on the status.
   */
  protected save(frames: Omit<SampleFrame, 'endpointId'>[], events: PollEvent[]): void {
    if (frames.length === 0 && events.length === 0) return;
    const endpointId = this.ctx.endpoint.id;
    let overCap = 0;
    const kept = frames.map((f) => {
      const a = this.#budget.admit(f.values);
      overCap += a.overCap;
      return { ...f, values: a.values, endpointId };
    });
    const note = overCap > 0 ? tooManySeriesText() : null;
    if (note !== this.#capNote) {
      this.#capNote = note;
      this.setStatus({});
    }
    this.ctx.saveFrames(kept, events.map((e) => ({ ...e, endpointId })));
  }

  /** The wait before the next try after `failures` failures in a row. */
  protected backoff(): number {
    return backoffDelay(this.ctx.endpoint.intervalMs, this.failures);
  }

  #schedule(at: number): void {
    if (this.#stopped) return;
    this.#cancel = this.#clock.at(at, () => void this.#run());
  }

  async #run(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    const ended = this.ctx.pollStarted?.();
    const started = this.ctx.now();
    let delay: number;
    try {
      delay = await this.pollOnce();
    } catch (e) {
      if (e instanceof Cancelled) return;
      this.failures++;
      this.setStatus({ state: 'error', message: `${this.#unexpected}: ${String(e)}`, lastErrorAt: started });
      delay = this.backoff();
    } finally {
      this.#running = false;
      ended?.();
    }
    this.#schedule(nextPollAt(started, delay, this.ctx.endpoint.intervalMs));
  }
}

/**
 * A registry entry for a PollLoop: create makes one; probe polls once (via `once`) with a context that
 * stores and reports nothing, and returns the status it reached.
 */
export function pollerKind<P extends PollLoop>(make: (ctx: PollerContext) => P, once: (p: P) => Promise<number> = (p) => p.pollOnce()): PollerKind {
  return {
    create: make,
    async probe(ctx) {
      // No gap store either: a test of the connection must not fill a llama-server's history.
      const p = make({ ...ctx, gaps: undefined, saveFrames: () => undefined, onStatus: () => undefined, pollStarted: undefined });
      await once(p);
      return p.status();
    },
  };
}

/** Exponential backoff while an endpoint is down: interval, 2×, 4×, ... capped at 30 s. */
function backoffDelay(intervalMs: number, failures: number, capMs = 30_000): number {
  if (failures <= 0) return intervalMs;
  return Math.min(capMs, Math.max(intervalMs, intervalMs * 2 ** (failures - 1)));
}

/** Per-request time limit from the poll interval: long enough for a busy server, short enough to notice. */
function defaultTimeout(intervalMs: number): number {
  return Math.max(2_000, Math.min(intervalMs * 3, 10_000));
}

/** A status for an endpoint nothing has been learnt about yet. */
export function initialStatus(ep: Pick<Endpoint, 'id' | 'enabled'>): EndpointStatus {
  return {
    endpointId: ep.id,
    state: ep.enabled ? 'connecting' : 'disabled',
    message: null,
    lastOkAt: null,
    lastErrorAt: null,
    info: {},
    isRouter: false,
    routerModels: [],
  };
}

/** An Endpoint from the form's input, for a one-off test before it is saved. */
export function endpointFromInput(input: EndpointInput, now: number): Endpoint {
  return { ...input, id: 0, createdAt: now, fromLink: input.fromLink ?? false };
}
