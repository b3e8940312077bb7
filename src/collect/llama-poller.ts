/**
 * Polls one llama-server. Per tick: /health (public, no key), /props on connect, after a restart and every
 * PROPS_EVERY_MS (model changes, is_sleeping), /metrics, and /slots on connect and only while requests are
 * processing or deferred: reading /slots wakes a server started with --sleep-idle-seconds and restarts its
 * idle timer, so an idle server is never asked. A router (started without -m) is handed to RouterPart.
 * All values of one tick go out in one SampleFrame. Requests of one endpoint never overlap: the next tick
 * is scheduled when the current one has finished.
 */

import { deriveTick, initialDeriveState } from '../lib/llama-derive';
import { parseProps, type LlamaProps } from '../lib/llama-props';
import { parseSlots, type SlotInfo } from '../lib/llama-slots';
import { parsePrometheus, type PromParseResult } from '../lib/prometheus';
import { explainFetchFailure, SLEEPING_MESSAGE, type FetchFailure } from '../lib/explain-fetch-error';
import { HEALTH, KEYS } from '../lib/series-keys';
import { jsonOf } from './http';
import { RouterPart } from './llama-router';
import { isDown, PollLoop, pollerKind, type PollerContext, type PollEvent } from './poller';

const PROPS_EVERY_MS = 10_000;

type Values = Record<string, number | null>;

const isAuth = (f: FetchFailure) => f.kind === 'http' && f.status === 401;
const isOff = (f: FetchFailure) => f.kind === 'http' && (f.status === 404 || f.status === 501);

function describeParse(p: PromParseResult): string {
  if (p.samples.length === 0 && p.errors.length === 0) return 'the answer was empty';
  const first = p.errors[0];
  return first ? `no llama-server metrics; line ${first.line}: ${first.message}` : 'no llama-server metrics in it';
}

class LlamaPoller extends PollLoop {
  #connected = false;
  #propsAt = -Infinity;
  #props: LlamaProps | null = null;
  #metricsOff = false;
  #slotsOff = false;
  #derive = initialDeriveState();
  #router: RouterPart | null = null;

  constructor(ctx: PollerContext) {
    super(ctx, { unexpected: 'Polling failed unexpectedly' });
  }

  loadModel(model: string): Promise<void> {
    return this.#routerPart().change(model, 'load');
  }

  unloadModel(model: string): Promise<void> {
    return this.#routerPart().change(model, 'unload');
  }

  #routerPart(): RouterPart {
    if (!this.#router) throw new Error('This endpoint is not a llama-server router (it was started with a model), so it has no models to load or unload.');
    return this.#router;
  }

  #explain(f: FetchFailure, path: string): string {
    const ep = this.ctx.endpoint;
    return explainFetchFailure(f, { url: ep.url, path, pageOrigin: this.env.pageOrigin, hasApiKey: !!ep.apiKey });
  }

  #save(ts: number, values: Values, events: PollEvent[]): void {
    this.save([{ ts, values }], events);
  }

  /** Counts a failure, stores a "down" sample and says why; returns the backoff delay. */
  #fail(ts: number, f: FetchFailure, path: string, events: PollEvent[]): number {
    const down = isDown(f);
    const wasUp = this.failures === 0 && this.status().state !== 'connecting';
    this.failures++;
    this.#connected = false;
    if (wasUp && down) events.push({ ts, kind: 'down', detail: f.kind });
    this.#save(ts, { [KEYS.up]: down ? 0 : 1, [KEYS.health]: down ? HEALTH.down : HEALTH.error }, events);
    this.setStatus({ state: down ? 'down' : 'error', message: this.#explain(f, path), lastErrorAt: ts });
    return this.backoff();
  }

  /** One poll of the endpoint; returns the delay until the next. Public for one-off connection tests. */
  async pollOnce(): Promise<number> {
    const ts = this.ctx.now();
    const interval = this.ctx.endpoint.intervalMs;
    const events: PollEvent[] = [];
    const health = await this.get('/health', false);
    if (!health.ok) {
      const f = health.failure;
      if (f.kind === 'http' && f.status === 503) {
        this.#connected = false;
        this.failures = 0;
        this.#save(ts, { [KEYS.up]: 1, [KEYS.health]: HEALTH.loading }, events);
        this.setStatus({ state: 'loading', message: this.#explain(f, '/health'), lastOkAt: ts });
        return interval;
      }
      return this.#fail(ts, f, '/health', events);
    }
    if (this.failures > 0 && this.status().state === 'down') events.push({ ts, kind: 'up' });
    const fresh = !this.#connected;

    if (fresh || ts - this.#propsAt >= PROPS_EVERY_MS) {
      const r = jsonOf(await this.get('/props'));
      if (!r.ok && isAuth(r.failure)) return this.#fail(ts, r.failure, '/props', events);
      const p = r.ok ? parseProps(r.value) : null;
      if (p) this.#takeProps(ts, p, events);
      this.#connected = true;
    }
    this.failures = 0;
    if (this.#props?.isRouter) return this.#pollRouter(ts, events, interval);
    return this.#pollSingle(ts, events, interval, fresh);
  }

  #takeProps(ts: number, p: LlamaProps, events: PollEvent[]): void {
    const old = this.#props;
    if (old?.modelPath && p.modelPath && old.modelPath !== p.modelPath) events.push({ ts, kind: 'model-change', detail: p.model ?? p.modelPath });
    this.#props = p;
    this.#propsAt = ts;
    this.#metricsOff = p.metricsEnabled === false;
    this.#slotsOff = p.slotsEnabled === false;
    if (p.isRouter && !this.#router) {
      const ep = () => this.ctx.endpoint;
      this.#router = new RouterPart({
        env: this.env,
        baseUrl: () => ep().url,
        apiKey: () => ep().apiKey,
        timeoutMs: this.timeoutMs,
        signal: this.stopSignal,
        now: this.ctx.now,
        onModels: (routerModels) => this.setStatus({ routerModels }),
      });
    }
    this.setStatus({
      isRouter: p.isRouter,
      info: { model: p.model ?? undefined, build: p.build ?? undefined, totalSlots: p.totalSlots ?? undefined, ctxSize: p.ctxSize ?? undefined },
    });
  }

  async #pollSingle(ts: number, events: PollEvent[], interval: number, fresh: boolean): Promise<number> {
    let sleeping = this.#props?.isSleeping === true;
    const notes: string[] = [];
    let metrics: PromParseResult | null = null;
    if (!this.#metricsOff) {
      const m = await this.get('/metrics');
      if (!m.ok) {
        if (isAuth(m.failure) || isDown(m.failure)) return this.#fail(ts, m.failure, '/metrics', events);
        if (isOff(m.failure)) this.#metricsOff = true;
        else notes.push(this.#explain(m.failure, '/metrics'));
      } else {
        const parsed = parsePrometheus(m.text);
        if (parsed.samples.some((s) => s.name.startsWith('llamacpp:'))) metrics = parsed;
        else notes.push(this.#explain({ kind: 'bad-body', detail: describeParse(parsed) }, '/metrics'));
      }
    }
    if (this.#metricsOff) notes.push(this.#explain({ kind: 'http', status: 501, body: '' }, '/metrics'));
    const gauge = (name: string) => metrics?.samples.find((s) => s.name === name)?.value ?? 0;
    const queued = gauge(KEYS.requestsProcessing) + gauge(KEYS.requestsDeferred);
    if (sleeping && queued > 0) {
      // A request woke it since /props was last read: confirm now rather than up to PROPS_EVERY_MS later.
      const r = jsonOf(await this.get('/props'));
      const p = r.ok ? parseProps(r.value) : null;
      if (p) this.#takeProps(ts, p, events);
      sleeping = this.#props?.isSleeping === true;
    }

    let slots: SlotInfo[] | null = null;
    if (!this.#slotsOff && !sleeping && (fresh || queued > 0)) {
      const s = jsonOf(await this.get('/slots'));
      if (s.ok) slots = parseSlots(s.value);
      else if (isAuth(s.failure)) return this.#fail(ts, s.failure, '/slots', events);
      else if (isOff(s.failure)) this.#slotsOff = true;
      else notes.push(this.#explain(s.failure, '/slots'));
    }
    if (this.#slotsOff) notes.push(this.#explain({ kind: 'http', status: 501, body: '' }, '/slots'));

    const out = deriveTick(this.#derive, { ts, metrics, slots, totalSlots: this.#props?.totalSlots ?? null });
    this.#derive = out.state;
    if (out.restart) {
      events.push({ ts, kind: 'restart' });
      this.#propsAt = -Infinity;
    }
    const busy = queued > 0 || (slots?.some((s) => s.isProcessing) ?? false);
    const health = sleeping ? HEALTH.sleeping : busy ? HEALTH.busy : HEALTH.ok;
    this.#save(ts, { ...out.values, [KEYS.up]: 1, [KEYS.health]: health }, events);
    this.setStatus({
      state: sleeping ? 'sleeping' : busy ? 'busy' : 'ok',
      message: sleeping ? SLEEPING_MESSAGE : notes.join(' ') || null,
      lastOkAt: ts,
    });
    return interval;
  }

  async #pollRouter(ts: number, events: PollEvent[], interval: number): Promise<number> {
    const r = await this.#router!.poll(ts);
    if (!r.ok) return this.#fail(ts, r.failure, r.path, events);
    events.push(...r.events);
    this.#save(ts, { ...r.values, [KEYS.up]: 1, [KEYS.health]: r.busy ? HEALTH.busy : HEALTH.ok }, events);
    this.setStatus({ state: r.busy ? 'busy' : 'ok', message: r.note, lastOkAt: ts, routerModels: r.models });
    return interval;
  }
}

/** The llama-server entry of the collector's registry. */
export const llamaPollerKind = pollerKind((ctx) => new LlamaPoller(ctx));
