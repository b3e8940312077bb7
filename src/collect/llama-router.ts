/**
 * Router mode (llama-server started without -m): the model list with live states, per-model metrics and
 * slots, and load/unload followed until they settle. Every per-model request carries `autoload=false`:
 * without it, reading a model's /metrics would load that model.
 */

import type { RouterModel, RouterModelState, SeriesEvent } from '../db/types';
import { deriveTick, initialDeriveState, labelValues, type DeriveState } from '../lib/llama-derive';
import { isSettled, parseModelsSseData, parseRouterModels, splitSse } from '../lib/llama-models';
import { parseSlots } from '../lib/llama-slots';
import { parseProps } from '../lib/llama-props';
import { parsePrometheus } from '../lib/prometheus';
import { explainFetchFailure, serverMessage, type FetchFailure } from '../lib/explain-fetch-error';
import { KEYS, MODEL_STATE, seriesKey } from '../lib/series-keys';
import { MAX_BODY_BYTES } from '../lib/limits';
import { authHeaders, jsonOf, joinUrl, request, type HttpEnv, type HttpResult } from './http';

/** What the router part needs from the poller that owns it. */
export interface RouterHost {
  env: HttpEnv;
  baseUrl: () => string;
  apiKey: () => string | null;
  timeoutMs: number;
  signal: AbortSignal;
  now: () => number;
  /** The model list changed outside a poll (load/unload progress): publish it. */
  onModels(models: RouterModel[]): void;
}

export type RouterPoll =
  | { ok: true; values: Record<string, number | null>; events: Omit<SeriesEvent, 'endpointId'>[]; models: RouterModel[]; busy: boolean; note: string | null }
  | { ok: false; failure: FetchFailure; path: string };

interface ModelTrack {
  derive: DeriveState;
  totalSlots: number | null;
  seen: boolean;
}

type ModelPoll = { failure: FetchFailure; path: string } | { busy: boolean; note: string | null } | null;

const FOLLOW_POLL_MS = 1_000;
const LOAD_LIMIT_MS = 10 * 60_000;
const UNLOAD_LIMIT_MS = 2 * 60_000;

const isAuth = (f: FetchFailure) => f.kind === 'http' && f.status === 401;
const modelQuery = (id: string) => `?model=${encodeURIComponent(id)}&autoload=false`;

export class RouterPart {
  readonly #host: RouterHost;
  #models: RouterModel[] = [];
  readonly #tracks = new Map<string, ModelTrack>();
  /** States as of the last poll (events compare against these, not against load/unload progress). */
  #polled = new Map<string, RouterModelState>();

  constructor(host: RouterHost) {
    this.#host = host;
  }

  models(): RouterModel[] {
    return this.#models;
  }

  #get(path: string): Promise<HttpResult> {
    const h = this.#host;
    return request(h.env, h.baseUrl(), path, { apiKey: h.apiKey(), timeoutMs: h.timeoutMs, signal: h.signal });
  }

  async #listModels(): Promise<{ ok: true; models: RouterModel[] } | { ok: false; failure: FetchFailure }> {
    const r = jsonOf(await this.#get('/models'));
    if (!r.ok) return r;
    const models = parseRouterModels(r.value);
    if (!models) return { ok: false, failure: { kind: 'bad-body', detail: 'the model list has no status per model' } };
    return { ok: true, models };
  }

  /** One tick: model states, then metrics (and slots while busy) of each loaded model. */
  async poll(ts: number): Promise<RouterPoll> {
    const list = await this.#listModels();
    if (!list.ok) return { ok: false, failure: list.failure, path: '/models' };
    const events: Omit<SeriesEvent, 'endpointId'>[] = [];
    const before = this.#polled;
    this.#polled = new Map(list.models.map((m) => [m.id, m.state]));
    this.#models = list.models;
    const values: Record<string, number | null> = {};
    const notes: string[] = [];
    let busy = false;
    for (const m of list.models) {
      values[seriesKey(KEYS.modelState, { model: m.id })] = MODEL_STATE[m.state];
      const prev = before.get(m.id);
      if (prev !== undefined && prev !== m.state && isSettled(m.state)) events.push({ ts, kind: 'model-change', detail: `${m.id} ${m.state}` });
      if (m.state !== 'loaded' && m.state !== 'sleeping') {
        this.#tracks.delete(m.id);
        continue;
      }
      const r = await this.#pollModel(ts, m, values, events);
      if (r && 'failure' in r) return { ok: false, failure: r.failure, path: r.path };
      if (r?.busy) busy = true;
      if (r?.note) notes.push(r.note);
    }
    return { ok: true, values, events, models: list.models, busy, note: notes[0] ?? null };
  }

  async #pollModel(ts: number, m: RouterModel, values: Record<string, number | null>, events: Omit<SeriesEvent, 'endpointId'>[]): Promise<ModelPoll> {
    let track = this.#tracks.get(m.id);
    const q = modelQuery(m.id);
    if (!track) {
      const props = jsonOf(await this.#get(`/props${q}`));
      const p = props.ok ? parseProps(props.value) : null;
      track = { derive: initialDeriveState(), totalSlots: p?.totalSlots ?? null, seen: false };
      this.#tracks.set(m.id, track);
    }
    const res = await this.#get(`/metrics${q}`);
    if (!res.ok) {
      if (isAuth(res.failure)) return { failure: res.failure, path: `/metrics${q}` };
      // 400 "model is not loaded": it was unloaded between the list and this read.
      if (res.failure.kind === 'http' && res.failure.status === 400) return null;
      return { busy: false, note: `${m.id}: ${explainFetchFailure(res.failure, { url: this.#host.baseUrl(), path: '/metrics', hasApiKey: !!this.#host.apiKey() })}` };
    }
    const parsed = parsePrometheus(res.text);
    const metrics = parsed.samples.some((s) => s.name.startsWith('llamacpp:')) ? parsed : null;
    const processing = metrics?.samples.find((s) => s.name === KEYS.requestsProcessing)?.value ?? 0;
    const deferred = metrics?.samples.find((s) => s.name === KEYS.requestsDeferred)?.value ?? 0;
    let slots = null;
    if (m.state !== 'sleeping' && (!track.seen || processing > 0 || deferred > 0)) {
      const s = jsonOf(await this.#get(`/slots${q}`));
      slots = s.ok ? parseSlots(s.value) : null;
    }
    track.seen = true;
    const out = deriveTick(track.derive, { ts, metrics, slots, totalSlots: track.totalSlots });
    track.derive = out.state;
    if (out.restart) events.push({ ts, kind: 'restart', detail: m.id });
    Object.assign(values, labelValues(out.values, { model: m.id }));
    return { busy: processing > 0 || deferred > 0, note: metrics ? null : `${m.id}: /metrics did not return llama-server metrics` };
  }

  /** POST /models/load or /models/unload, then follow the model until it settles. */
  async change(model: string, action: 'load' | 'unload'): Promise<void> {
    const h = this.#host;
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, h.signal]);
    const sse = this.#followSse(model, signal);
    try {
      const r = await request(h.env, h.baseUrl(), `/models/${action}`, {
        method: 'POST', json: { model }, apiKey: h.apiKey(), timeoutMs: h.timeoutMs, signal: h.signal,
      });
      if (!r.ok) {
        const said = r.failure.kind === 'http' ? serverMessage(r.failure.body) ?? '' : '';
        const nothingToDo = action === 'load' ? /already running/i.test(said) : /not running/i.test(said);
        if (!nothingToDo) throw new Error(explainFetchFailure(r.failure, { url: h.baseUrl(), path: `/models/${action}`, hasApiKey: !!h.apiKey() }));
      }
      const final = await this.#settle(model, action, signal);
      if (final === 'failed') throw new Error(`${model} failed to load. The router's log says why (often: not enough memory, or a bad model path or preset option).`);
    } finally {
      stop.abort();
      await sse.catch(() => undefined);
    }
  }

  #setModel(model: string, state: RouterModelState, progress: number | null): void {
    const known = this.#models.some((m) => m.id === model);
    this.#models = known
      ? this.#models.map((m) => (m.id === model ? { ...m, state, progress } : m))
      : [...this.#models, { id: model, state, progress }];
    this.#host.onModels(this.#models);
  }

  /** Polls /models until the model reaches an end state of the action (SSE may get there first). */
  async #settle(model: string, action: 'load' | 'unload', signal: AbortSignal): Promise<RouterModelState> {
    const done = (s: RouterModelState) => (action === 'load' ? s === 'loaded' || s === 'sleeping' || s === 'failed' : s === 'unloaded' || s === 'failed');
    const limit = this.#host.now() + (action === 'load' ? LOAD_LIMIT_MS : UNLOAD_LIMIT_MS);
    for (;;) {
      const cur = this.#models.find((m) => m.id === model)?.state;
      if (cur && done(cur) && this.#followed.has(model)) return cur;
      const list = await this.#listModels();
      if (list.ok) {
        const m = list.models.find((x) => x.id === model);
        if (!m) throw new Error(`The router no longer lists ${model}.`);
        const progress = this.#models.find((x) => x.id === model)?.progress ?? null;
        this.#models = list.models.map((x) => (x.id === model ? { ...x, progress: isSettled(x.state) ? null : progress } : x));
        this.#host.onModels(this.#models);
        if (done(m.state)) return m.state;
      }
      if (this.#host.now() > limit) throw new Error(`${model} did not finish its ${action} in time; check the router's log.`);
      await this.#pause(signal);
    }
  }

  /** Models whose settle state was reported by SSE during the current follow. */
  readonly #followed = new Set<string>();
  #wake: (() => void) | null = null;

  /** Waits for the next poll, or less when an SSE event arrives. */
  #pause(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', abort);
        this.#wake = null;
        resolve();
      };
      const abort = () => {
        clearTimeout(t);
        this.#wake = null;
        reject(new Error('stopped'));
      };
      const t = setTimeout(finish, FOLLOW_POLL_MS);
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      this.#wake = finish;
    });
  }

  async #followSse(model: string, signal: AbortSignal): Promise<void> {
    const h = this.#host;
    this.#followed.delete(model);
    const res = await h.env.fetch(joinUrl(h.baseUrl(), '/models/sse'), { headers: authHeaders(h.apiKey()), signal });
    if (!res.ok || !res.body) return; // older builds: polling alone follows the change
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const { payloads, rest } = splitSse(buf + value);
      // An event that never ends would grow without bound: stop following; polling still settles the change.
      if (rest.length > MAX_BODY_BYTES) return;
      buf = rest;
      for (const p of payloads) {
        const ev = parseModelsSseData(p);
        if (ev?.kind !== 'status' || ev.model !== model) continue;
        if (isSettled(ev.state)) this.#followed.add(model);
        this.#setModel(model, ev.state, isSettled(ev.state) ? null : ev.progress);
        this.#wake?.();
      }
    }
  }
}
