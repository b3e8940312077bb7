/**
 * One poll tick of a llama-server, whoever polls it (the dashboard's DB worker, the companion exporter).
 * /health (public, no key) first; the server's /props on connect, after a restart and every PROPS_EVERY_MS;
 * while a single server reads cleanly, its /metrics answering is the health check and /health is skipped;
 * then each model is read by readModel: the one unnamed model of a single server, or every loaded or
 * sleeping model a router lists in /models. A router's model is never loaded by polling.
 * Requests go through an injected ServerIo and the clock is injected: no DOM, no globals, no timers.
 */

import { explainFetchFailure, SLEEPING_MESSAGE, type FetchFailure } from './explain-fetch-error';
import { isDown, type ServerIo } from './http-request';
import { newTrack, propsDue, readModel, readProps, readSlotsOnly, reconnect, type Explain, type ModelTrack, type TickEvent } from './llama-model-read';
import type { RequestObservation } from './request-tracker';
import { isSettled, parseRouterModels, type RouterModel, type RouterModelState } from './llama-models';
import { HEALTH, KEYS, MODEL_STATE, seriesKey } from './series-keys';
import { resumedDeriveState, type StoredSample } from './llama-derive';

export type { TickEvent } from './llama-model-read';

/** What the tick needs from its caller. */
export interface LlamaTickOptions {
  io: ServerIo;
  now: () => number;
  /** For the words of failures: the server's base URL, the page's origin (null outside a browser), whether a key is set. */
  url: string;
  pageOrigin: string | null;
  hasApiKey: boolean;
  /**
   * The newest stored sample of this server when it is recent (a tab taking over, a reload): the first
   * tick goes on from it (uptime, rates, a restart in between), as if this tick had polled all along.
   */
  resumeFrom?: StoredSample | null;
}

/** How the server stands after a tick (a subset of the dashboard's EndpointState). */
export type TickState = 'ok' | 'busy' | 'sleeping' | 'loading' | 'down' | 'error';

/** What /props says about the server, for display. */
export interface ServerInfo {
  model?: string;
  build?: string;
  totalSlots?: number;
  ctxSize?: number;
}

/** Everything one tick learnt, ready to store and show. */
export interface TickResult {
  ts: number;
  state: TickState;
  /** Plain words: what failed and what to do, a note about a part that could not be read, or null. */
  message: string | null;
  /** Every series value of this tick, `up` and `health_state` included. */
  values: Record<string, number | null>;
  /** Restarts and model changes (down/up depend on the caller's history, so they are the caller's). */
  events: TickEvent[];
  /** Why the tick failed (state down or error); null otherwise. */
  failure: FetchFailure | null;
  /** /health answered 200: the server is reachable even when a later read failed. */
  healthy: boolean;
  isRouter: boolean;
  info: ServerInfo;
  /** Router only: the models as listed this tick; null when the list was not read. */
  models: RouterModel[] | null;
  /** What the request tracker needs, per model read ('' for a single server's one model). */
  observed: { model: string; busy: boolean; observation: RequestObservation }[];
}

/** One model's observation for the request tracker. */
export type ModelObservation = TickResult['observed'][number];

/** Reads a router's /models; a body without a status per model is a failure (a single server's list has none). */
export async function listRouterModels(io: ServerIo): Promise<{ ok: true; models: RouterModel[] } | { ok: false; failure: FetchFailure }> {
  const r = await io.json('/models');
  if (!r.ok) return r;
  const models = parseRouterModels(r.value);
  if (!models) return { ok: false, failure: { kind: 'bad-body', detail: 'the model list has no status per model' } };
  return { ok: true, models };
}

type Reading = Pick<TickResult, 'values' | 'events' | 'state' | 'message' | 'models'> & { observed?: TickResult['observed'] };
type Failed = { failure: FetchFailure; path: string; events: TickEvent[] };

/** One llama-server (single or router) polled tick after tick; keep one per server. */
export class LlamaTick {
  readonly #o: LlamaTickOptions;
  readonly #explain: Explain;
  /** The server itself: its /props, and its metrics when it serves one model. */
  readonly #root = newTrack();
  readonly #tracks = new Map<string, ModelTrack>();
  /** Router model states as of the last tick (events compare against these). */
  #polled = new Map<string, RouterModelState>();
  #connected = false;
  /**
   * The last tick read a single server cleanly (up, metrics parsed, nothing to say): the next one may go
   * straight to /metrics. Halves an idle server's requests, which is most of what watching one costs.
   */
  #clean = false;
  /** Until the first tick has read the server: the models it finds loaded then go on from the stored sample. */
  #resume: StoredSample | null;

  constructor(o: LlamaTickOptions) {
    this.#o = o;
    this.#resume = o.resumeFrom ?? null;
    if (this.#resume) this.#root.derive = resumedDeriveState(this.#resume, null);
    this.#explain = (f, path) => explainFetchFailure(f, { url: o.url, path, pageOrigin: o.pageOrigin, hasApiKey: o.hasApiKey });
  }

  /** True once /props said the server is a router (started without -m). */
  get isRouter(): boolean {
    return this.#root.props?.isRouter === true;
  }

  /** Polls the server once. Never throws except Cancelled (from the io, when the caller stops). */
  async tick(): Promise<TickResult> {
    const ts = this.#o.now();
    if (this.#clean && this.#connected && !this.isRouter && !propsDue(this.#root, ts)) {
      const r = await this.#single(ts);
      if (isClean(r)) return this.#result(ts, r, null, true);
      // Something changed (a restart into loading, a failure, a note): read it the whole way, /health first.
      this.#disconnect();
    }
    const io = this.#o.io;
    const health = await io.get('/health', { public: true });
    if (!health.ok) {
      const f = health.failure;
      this.#disconnect();
      if (f.kind === 'http' && f.status === 503) {
        const values = { [KEYS.up]: 1, [KEYS.health]: HEALTH.loading };
        return this.#result(ts, { values, events: [], state: 'loading', message: this.#explain(f, '/health'), models: null }, null, false);
      }
      return this.#failed(ts, { failure: f, path: '/health', events: [] }, false);
    }
    const events: TickEvent[] = [];
    if (!this.#connected || propsDue(this.#root, ts)) {
      const bad = await readProps(io, this.#root, ts, null, events);
      if (bad) return this.#failed(ts, { ...bad, events }, true);
      this.#connected = true;
    }
    const r = this.isRouter ? await this.#routerModels(ts) : await this.#single(ts);
    this.#clean = !this.isRouter && isClean(r);
    // A model loaded later is a new process: never compare it with a sample from before the first read.
    this.#resume = null;
    if ('failure' in r) return this.#failed(ts, { ...r, events: [...events, ...r.events] }, true);
    return this.#result(ts, { ...r, events: [...events, ...r.events] }, null, true);
  }

  async #single(ts: number): Promise<Reading | Failed> {
    const r = await readModel(this.#o.io, this.#root, ts, { model: null }, this.#explain, this.#o.now);
    if (r.kind === 'failed') return { failure: r.failure, path: r.path, events: [] };
    // Only a router's model can be gone (unloaded under the read); the server itself answered /health.
    if (r.kind === 'gone') throw new Error('a single-model server reported its model gone');
    const state = r.sleeping ? 'sleeping' : r.busy ? 'busy' : 'ok';
    return {
      values: { ...r.values, [KEYS.up]: 1, [KEYS.health]: HEALTH[state] },
      events: r.events,
      state,
      message: r.sleeping ? SLEEPING_MESSAGE : r.notes.join(' ') || null,
      models: null,
      observed: [{ model: '', busy: r.busy, observation: r.observed }],
    };
  }

  /** Model states, then each loaded or sleeping model read as a single server's would be. */
  async #routerModels(ts: number): Promise<Reading | Failed> {
    const list = await listRouterModels(this.#o.io);
    if (!list.ok) return { failure: list.failure, path: '/models', events: [] };
    const events: TickEvent[] = [];
    const before = this.#polled;
    this.#polled = new Map(list.models.map((m) => [m.id, m.state]));
    const values: Record<string, number | null> = {};
    const notes: string[] = [];
    const observed: TickResult['observed'] = [];
    let busy = false;
    for (const m of list.models) {
      values[seriesKey(KEYS.modelState, { model: m.id })] = MODEL_STATE[m.state];
      const prev = before.get(m.id);
      if (prev !== undefined && prev !== m.state && isSettled(m.state)) events.push({ ts, kind: 'model-change', detail: `${m.id} ${m.state}` });
      if (m.state !== 'loaded' && m.state !== 'sleeping') {
        this.#tracks.delete(m.id);
        continue;
      }
      let track = this.#tracks.get(m.id);
      if (!track) {
        this.#tracks.set(m.id, (track = newTrack()));
        if (this.#resume) track.derive = resumedDeriveState(this.#resume, m.id);
      }
      const r = await readModel(this.#o.io, track, ts, { model: m.id, listedSleeping: m.state === 'sleeping' }, this.#explain, this.#o.now);
      if (r.kind === 'failed') return { failure: r.failure, path: r.path, events };
      if (r.kind === 'gone') continue;
      Object.assign(values, r.values);
      events.push(...r.events);
      busy ||= r.busy;
      notes.push(...r.notes);
      observed.push({ model: m.id, busy: r.busy, observation: r.observed });
    }
    const state = busy ? 'busy' : 'ok';
    return { values: { ...values, [KEYS.up]: 1, [KEYS.health]: HEALTH[state] }, events, state, message: notes[0] ?? null, models: list.models, observed };
  }

  /** The next successful tick reads as on connect: /props, and /slots once. */
  #disconnect(): void {
    this.#connected = false;
    this.#clean = false;
    reconnect(this.#root);
    for (const t of this.#tracks.values()) reconnect(t);
  }

  #failed(ts: number, f: Failed, healthy: boolean): TickResult {
    this.#disconnect();
    const down = isDown(f.failure);
    const values = { [KEYS.up]: down ? 0 : 1, [KEYS.health]: down ? HEALTH.down : HEALTH.error };
    return this.#result(ts, { values, events: f.events, state: down ? 'down' : 'error', message: this.#explain(f.failure, f.path), models: null }, f.failure, healthy);
  }

  #result(ts: number, r: Reading, failure: FetchFailure | null, healthy: boolean): TickResult {
    const p = this.#root.props;
    const info: ServerInfo = p
      ? { model: p.model ?? undefined, build: p.build ?? undefined, totalSlots: p.totalSlots ?? undefined, ctxSize: p.ctxSize ?? undefined }
      : {};
    return { ts, ...r, observed: r.observed ?? [], failure, healthy, isRouter: this.isRouter, info };
  }

  /**
   * Reads /slots alone of each model in `busy` (those the last tick or fast read found running requests),
   * for the request tracker between ticks. Stores nothing and leaves the tick's own state alone.
   */
  async fastSlots(busy: readonly string[]): Promise<ModelObservation[]> {
    const out: ModelObservation[] = [];
    for (const model of busy) {
      const o = await readSlotsOnly(this.#o.io, model === '' ? null : model, this.#o.now);
      if (o) out.push({ model, busy: o.slots?.some((s) => s.isProcessing) ?? false, observation: o });
    }
    return out;
  }
}

/** Up and read without a word to add: nothing a /health read could explain better. */
function isClean(r: Reading | Failed): r is Reading {
  return !('failure' in r) && (r.state === 'ok' || r.state === 'busy') && r.message === null;
}
