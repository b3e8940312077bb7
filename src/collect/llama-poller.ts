/**
 * Polls one llama-server (single or router) on the collector's timer. What is read and derived each tick is
 * lib/llama-tick.ts (shared with the exporter); this adds the schedule, backoff, down/up markers, the status
 * and the hand-off to storage, and a router's load/unload (collect/llama-router.ts). All values of one tick
 * go out in one SampleFrame. Requests of one endpoint never overlap: the next tick is scheduled when the
 * current one has finished.
 * Per-request records: each tick's /slots and counters feed a RequestTracker per model. While a model has
 * requests running, /slots alone is also read every `requestsFastMs` between ticks; those reads feed only the
 * tracker (stored samples stay at the endpoint's interval) and never touch /metrics, whose throughput gauges
 * average over the time since the previous read.
 * Relayed reads: while the server is idle, a tick may take the /metrics body that an exporter watching the
 * same server read moments ago (collect/metrics-relay.ts) instead of asking; the server is still asked
 * itself every RELAY_VERIFY_MS and whenever anything is off.
 */

import { fetchIo, isDown, type HttpResult, type ServerIo } from '../lib/http-request';
import { LlamaTick, type ModelObservation } from '../lib/llama-tick';
import type { StoredSample } from '../lib/llama-derive';
import { RequestTracker } from '../lib/request-tracker';
import { RELAY_VERIFY_MS } from '../lib/limits';
import { countersBehind } from './metrics-relay';
import { freshWithinMs } from './snapshot-stream';
import { RouterControl } from './llama-router';
import { PollLoop, pollerKind, type PollerContext, type PollEvent } from './poller';
import { nextPollAt } from './tick-clock';

class LlamaPoller extends PollLoop {
  readonly #tick: LlamaTick;
  #router: RouterControl | null = null;
  readonly #trackers = new Map<string, RequestTracker>();
  /** Models with requests running as of the last read. */
  #busy: string[] = [];
  /** When the next full tick is due (fast reads fill the time before it). */
  #nextTickAt = -Infinity;
  /** This tick may take its /metrics body from an exporter's stream (collect/metrics-relay.ts). */
  #mayRelay = false;
  /** The last relayed body taken (never the same twice) and its exporter; when the server last answered /metrics itself. */
  #relayed: { key: string; exporterId: number; at: number } | null = null;
  #verifiedAt = -Infinity;
  /**
   * The values of the last tick: a relayed body behind any of its counters is not used. The exporter's read may
   * come from before our own last one, and a counter going back would read as a restart.
   */
  #lastValues: Record<string, number | null> = {};

  constructor(ctx: PollerContext) {
    super(ctx, { unexpected: 'Polling failed unexpectedly' });
    const ep = ctx.endpoint;
    const direct = fetchIo({ env: this.env, baseUrl: ep.url, apiKey: ep.apiKey, timeoutMs: this.timeoutMs, signal: this.stopSignal });
    const io: ServerIo = {
      ...direct,
      get: async (path, opts) => {
        const relayed = path === '/metrics' ? this.#fromExporter() : null;
        if (relayed) return relayed;
        const r = await direct.get(path, opts);
        if (path === '/metrics' && r.ok) this.#verifiedAt = ctx.now();
        return r;
      },
    };
    this.#tick = new LlamaTick({
      io,
      now: ctx.now,
      url: ep.url,
      pageOrigin: this.env.pageOrigin,
      hasApiKey: !!ep.apiKey,
      resumeFrom: recentSample(ctx),
    });
  }

  loadModel(model: string): Promise<void> {
    return this.#routerControl().change(model, 'load');
  }

  unloadModel(model: string): Promise<void> {
    return this.#routerControl().change(model, 'unload');
  }

  #routerControl(): RouterControl {
    if (!this.#tick.isRouter) throw new Error('This endpoint is not a llama-server router (it was started with a model), so it has no models to load or unload.');
    const ep = this.ctx.endpoint;
    this.#router ??= new RouterControl({
      env: this.env,
      baseUrl: ep.url,
      apiKey: ep.apiKey,
      timeoutMs: this.timeoutMs,
      signal: this.stopSignal,
      now: this.ctx.now,
      models: () => this.status().routerModels,
      onModels: (routerModels) => this.setStatus({ routerModels }),
    });
    return this.#router;
  }

  /**
   * A full tick when due, else a fast /slots read for the request tracker. Returns the delay until the next
   * poll counted from this one's start (the loop subtracts the time the poll took).
   */
  async pollOnce(): Promise<number> {
    const now = this.ctx.now();
    if (now < this.#nextTickAt && this.#busy.length > 0) {
      this.#track(await this.#tick.fastSlots(this.#busy));
      return this.#nextDelay(now);
    }
    // On the grid, as the loop schedules it: the fast reads in between then end where the tick begins.
    this.#nextTickAt = nextPollAt(now, await this.#fullTick(), this.ctx.endpoint.intervalMs);
    return this.#nextDelay(now);
  }

  #nextDelay(now: number): number {
    const fast = this.ctx.requestsFastMs?.() ?? 0;
    const untilTick = Math.max(0, this.#nextTickAt - now);
    if (this.failures > 0 || fast <= 0 || this.#busy.length === 0) return untilTick;
    return Math.min(untilTick, fast);
  }

  /** Feeds observations to each model's tracker and hands the records on. */
  #track(observed: ModelObservation[]): void {
    const save = this.ctx.saveRequests;
    for (const o of observed) {
      let t = this.#trackers.get(o.model);
      if (!t) this.#trackers.set(o.model, (t = new RequestTracker()));
      const records = t.observe(o.observation);
      if (save && records.length > 0) save(this.ctx.endpoint.id, o.model, records);
    }
    this.#busy = observed.filter((o) => o.busy).map((o) => o.model);
  }

  /**
   * The /metrics body an exporter read of this server, when this tick may use one: the last tick found
   * the server idle with nothing to say, the server itself answered less than RELAY_VERIFY_MS ago, and the body
   * is fresh, new, not behind the last tick's counters, and of the same build and model. Null: ask the server.
   */
  #fromExporter(): HttpResult | null {
    if (!this.#mayRelay || !this.ctx.relay) return null;
    this.#mayRelay = false;
    const now = this.ctx.now();
    const info = this.status().info;
    const target = { endpoint: this.ctx.endpoint, build: info.build ?? null, model: info.model ?? null };
    const body = this.ctx.relay.find(target, now, freshWithinMs(this.ctx.endpoint.intervalMs));
    if (!body || body.key === this.#relayed?.key || countersBehind(body.text, this.#lastValues)) return null;
    this.#relayed = { key: body.key, exporterId: body.exporterId, at: now };
    return { ok: true, status: 200, text: body.text };
  }

  /** The exporter whose bodies this server's idle ticks use lately; null when the poller asks the server itself. */
  #relayedBy(now: number): number | null {
    const r = this.#relayed;
    return r && now - r.at <= RELAY_VERIFY_MS + 2 * this.ctx.endpoint.intervalMs ? r.exporterId : null;
  }

  /** One full poll of the endpoint; returns the delay until the next. */
  async #fullTick(): Promise<number> {
    const s = this.status();
    const before = s.state;
    const wasUp = this.failures === 0 && before !== 'connecting';
    this.#mayRelay = this.failures === 0 && before === 'ok' && s.message === null && this.ctx.now() - this.#verifiedAt < RELAY_VERIFY_MS;
    const r = await this.#tick.tick();
    this.#mayRelay = false;
    this.#track(r.observed);
    const events: PollEvent[] = [];
    if (r.healthy && this.failures > 0 && before === 'down') events.push({ ts: r.ts, kind: 'up' });
    if (r.failure && wasUp && isDown(r.failure)) events.push({ ts: r.ts, kind: 'down', detail: r.failure.kind });
    events.push(...r.events);
    this.save([{ ts: r.ts, values: r.values }], events);
    const known = { isRouter: r.isRouter, info: r.info, ...(r.models ? { routerModels: r.models } : {}) };
    if (r.failure) {
      this.failures++;
      this.#relayed = null;
      this.setStatus({ ...known, state: r.state, message: r.message, lastErrorAt: r.ts, relayedBy: null });
      return this.backoff();
    }
    this.failures = 0;
    if (r.state !== 'ok') this.#relayed = null;
    this.#lastValues = r.values;
    this.setStatus({ ...known, state: r.state, message: r.message, lastOkAt: r.ts, relayedBy: this.#relayedBy(r.ts) });
    return this.ctx.endpoint.intervalMs;
  }
}

/**
 * The newest stored sample when it is recent enough to be the same run of the server (a tab taking the
 * database over, a reload): the first tick goes on from it. An older one may predate a restart that the
 * counters no longer show, so it is left out.
 */
function recentSample(ctx: PollerContext): StoredSample | null {
  const last = ctx.lastStored?.(ctx.endpoint.id) ?? null;
  const within = Math.max(RESUME_WITHIN_MS, 5 * ctx.endpoint.intervalMs);
  return last && ctx.now() - last.ts <= within ? last : null;
}

/** A stored sample younger than this (or five intervals) is taken as the same run of the server. */
const RESUME_WITHIN_MS = 30_000;

/** The llama-server entry of the collector's registry. */
export const llamaPollerKind = pollerKind((ctx) => new LlamaPoller(ctx));
