/**
 * Polls one llama-server (single or router) on the collector's timer. What is read and derived each tick is
 * lib/llama-tick.ts (shared with the exporter); this adds the schedule, backoff, down/up markers, the status
 * and the hand-off to storage, and a router's load/unload (collect/llama-router.ts). All values of one tick
 * go out in one SampleFrame. Requests of one endpoint never overlap: the next tick is scheduled when the
 * current one has finished.
 */

import { fetchIo, isDown } from '../lib/http-request';
import { LlamaTick } from '../lib/llama-tick';
import { RouterControl } from './llama-router';
import { PollLoop, pollerKind, type PollerContext, type PollEvent } from './poller';

class LlamaPoller extends PollLoop {
  readonly #tick: LlamaTick;
  #router: RouterControl | null = null;

  constructor(ctx: PollerContext) {
    super(ctx, { unexpected: 'Polling failed unexpectedly' });
    const ep = ctx.endpoint;
    this.#tick = new LlamaTick({
      io: fetchIo({ env: this.env, baseUrl: ep.url, apiKey: ep.apiKey, timeoutMs: this.timeoutMs, signal: this.stopSignal }),
      now: ctx.now,
      url: ep.url,
      pageOrigin: this.env.pageOrigin,
      hasApiKey: !!ep.apiKey,
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

  /** One poll of the endpoint; returns the delay until the next. Public for one-off connection tests. */
  async pollOnce(): Promise<number> {
    const before = this.status().state;
    const wasUp = this.failures === 0 && before !== 'connecting';
    const r = await this.#tick.tick();
    const events: PollEvent[] = [];
    if (r.healthy && this.failures > 0 && before === 'down') events.push({ ts: r.ts, kind: 'up' });
    if (r.failure && wasUp && isDown(r.failure)) events.push({ ts: r.ts, kind: 'down', detail: r.failure.kind });
    events.push(...r.events);
    this.save([{ ts: r.ts, values: r.values }], events);
    const known = { isRouter: r.isRouter, info: r.info, ...(r.models ? { routerModels: r.models } : {}) };
    if (r.failure) {
      this.failures++;
      this.setStatus({ ...known, state: r.state, message: r.message, lastErrorAt: r.ts });
      return this.backoff();
    }
    this.failures = 0;
    this.setStatus({ ...known, state: r.state, message: r.message, lastOkAt: r.ts });
    return this.ctx.endpoint.intervalMs;
  }
}

/** The llama-server entry of the collector's registry. */
export const llamaPollerKind = pollerKind((ctx) => new LlamaPoller(ctx));
