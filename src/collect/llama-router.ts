/**
 * Load and unload on a llama-server router (started without -m): POST /models/load or /models/unload, then
 * follow the model (GET /models, /models/sse) until it settles. The per-tick reads of a router are
 * lib/llama-tick.ts; this part shares the model list with it through the poller's status.
 */

import { explainFetchFailure, serverMessage } from '../lib/explain-fetch-error';
import { fetchIo, request, authHeaders, type HttpEnv, type ServerIo } from '../lib/http-request';
import { joinUrl } from '../lib/base-url';
import { isSettled, parseModelsSseData, splitSse, type RouterModel, type RouterModelState } from '../lib/llama-models';
import { listRouterModels } from '../lib/llama-tick';
import { MAX_BODY_BYTES } from '../lib/limits';

/** What the router control needs from the poller that owns it. */
export interface RouterHost {
  env: HttpEnv;
  baseUrl: string;
  apiKey: string | null;
  timeoutMs: number;
  signal: AbortSignal;
  now: () => number;
  /** The model list as last published (by a tick or by this control). */
  models(): RouterModel[];
  /** The model list changed outside a tick (load/unload progress): publish it. */
  onModels(models: RouterModel[]): void;
}

const FOLLOW_POLL_MS = 1_000;
const LOAD_LIMIT_MS = 10 * 60_000;
const UNLOAD_LIMIT_MS = 2 * 60_000;

export class RouterControl {
  readonly #host: RouterHost;
  readonly #io: ServerIo;

  constructor(host: RouterHost) {
    this.#host = host;
    this.#io = fetchIo({ env: host.env, baseUrl: host.baseUrl, apiKey: host.apiKey, timeoutMs: host.timeoutMs, signal: host.signal });
  }

  /** POST /models/load or /models/unload, then follow the model until it settles. */
  async change(model: string, action: 'load' | 'unload'): Promise<void> {
    const h = this.#host;
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, h.signal]);
    const sse = this.#followSse(model, signal);
    try {
      const r = await request(h.env, h.baseUrl, `/models/${action}`, {
        method: 'POST', json: { model }, apiKey: h.apiKey, timeoutMs: h.timeoutMs, signal: h.signal,
      });
      if (!r.ok) {
        const said = r.failure.kind === 'http' ? serverMessage(r.failure.body) ?? '' : '';
        const nothingToDo = action === 'load' ? /already running/i.test(said) : /not running/i.test(said);
        if (!nothingToDo) throw new Error(explainFetchFailure(r.failure, { url: h.baseUrl, path: `/models/${action}`, hasApiKey: !!h.apiKey }));
      }
      const final = await this.#settle(model, action, signal);
      if (final === 'failed') throw new Error(`${model} failed to load. The router's log says why (often: not enough memory, or a bad model path or preset option).`);
    } finally {
      stop.abort();
      await sse.catch(() => undefined);
    }
  }

  #setModel(model: string, state: RouterModelState, progress: number | null): void {
    const models = this.#host.models();
    const known = models.some((m) => m.id === model);
    this.#host.onModels(known ? models.map((m) => (m.id === model ? { ...m, state, progress } : m)) : [...models, { id: model, state, progress }]);
  }

  /** Polls /models until the model reaches an end state of the action (SSE may get there first). */
  async #settle(model: string, action: 'load' | 'unload', signal: AbortSignal): Promise<RouterModelState> {
    const done = (s: RouterModelState) => (action === 'load' ? s === 'loaded' || s === 'sleeping' || s === 'failed' : s === 'unloaded' || s === 'failed');
    const limit = this.#host.now() + (action === 'load' ? LOAD_LIMIT_MS : UNLOAD_LIMIT_MS);
    for (;;) {
      const cur = this.#host.models().find((m) => m.id === model)?.state;
      if (cur && done(cur) && this.#followed.has(model)) return cur;
      const list = await listRouterModels(this.#io);
      if (list.ok) {
        const m = list.models.find((x) => x.id === model);
        if (!m) throw new Error(`The router no longer lists ${model}.`);
        const progress = this.#host.models().find((x) => x.id === model)?.progress ?? null;
        this.#host.onModels(list.models.map((x) => (x.id === model ? { ...x, progress: isSettled(x.state) ? null : progress } : x)));
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
    const res = await h.env.fetch(joinUrl(h.baseUrl, '/models/sse'), { headers: authHeaders(h.apiKey), signal });
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
