import { SvelteMap } from 'svelte/reactivity';
import type { Endpoint, EndpointInput, EndpointKind, EndpointStatus } from '../lib/types';
import { errorText } from '../lib/error-text';
import { hostOf, normaliseBaseUrl as normaliseUrl } from '../lib/base-url';
import type { Port } from '../worker/surface';
import { act } from './act';
import { isSimulatedUrl } from '../lib/simulate/host';

/** What the endpoints state needs from the worker. */
export type EndpointsSource = Port<
  'listEndpoints' | 'addEndpoint' | 'updateEndpoint' | 'removeEndpoint' | 'endpointStatuses' | 'testConnection' | 'loadModel' | 'unloadModel'
  | 'startSimulation' | 'stopSimulation'
>;

/** Default poll interval for a new endpoint. */
export const DEFAULT_INTERVAL_MS = 1000;

/**
 * Normalises what a user typed as a base URL: trims, adds http:// when no scheme was given, drops a
 * trailing slash. Null for something that is not an http(s) URL or that carries credentials.
 */
export const normaliseBaseUrl = (text: string): string | null => normaliseUrl(text, { assumeHttp: true });

/** A readable default name from a URL: host and port. */
export const nameFromUrl = hostOf;

/** The endpoints to poll and what the collector says about each. */
export class EndpointsState {
  #source: EndpointsSource | null = null;
  #list = $state.raw<Endpoint[]>([]);
  #statuses = new SvelteMap<number, EndpointStatus>();
  #loaded = $state(false);
  #error = $state<string | null>(null);
  /** Router models with a Load/Unload request in flight, keyed `${endpointId}\u0000${model}`. */
  #pending = new SvelteMap<string, 'load' | 'unload'>();
  /** Statuses pushed while the tab is hidden, newest per endpoint: applied when it shows, as nothing is drawn meanwhile. */
  #held: Map<number, EndpointStatus> | null = null;

  readonly list = $derived(this.#list);
  readonly llama = $derived(this.#list.filter((e) => e.kind === 'llama'));
  readonly exporters = $derived(this.#list.filter((e) => e.kind === 'exporter'));
  readonly prometheus = $derived(this.#list.filter((e) => e.kind === 'prometheus'));
  /** True while the simulated llama-server and exporter are in the list (in any tab). */
  readonly simulated = $derived(this.#list.some((e) => isSimulatedUrl(e.url)));
  /** True once the first list came back from the database. */
  readonly loaded = $derived(this.#loaded);
  /** Last failed action, in words, or null. */
  readonly error = $derived(this.#error);

  /** Hands in the worker API and reads the endpoints and their statuses. */
  async connect(source: EndpointsSource) {
    this.#source = source;
    await this.refresh();
  }

  status(id: number): EndpointStatus | undefined {
    return this.#statuses.get(id);
  }

  /** Which router action is in flight for this model, if any. */
  pending(endpointId: number, model: string): 'load' | 'unload' | undefined {
    return this.#pending.get(`${endpointId}\u0000${model}`);
  }

  async refresh() {
    const src = this.#need();
    const [list, statuses] = await Promise.all([src.listEndpoints(), src.endpointStatuses()]);
    this.#list = list;
    for (const id of this.#statuses.keys()) if (!list.some((e) => e.id === id)) this.#statuses.delete(id);
    for (const s of statuses) this.#statuses.set(s.endpointId, s);
    this.#loaded = true;
  }

  /** The tab was hidden or shown: hidden, statuses wait; shown, the newest of each applies at once. */
  setHidden(hidden: boolean) {
    if (hidden) {
      this.#held ??= new Map();
      return;
    }
    const held = this.#held;
    this.#held = null;
    for (const s of held?.values() ?? []) this.applyStatus(s);
    // The worker sends a hidden page no statuses: read the newest of each now (should that fail, the
    // next tick brings them).
    const src = this.#source;
    if (src) void Promise.resolve(src.endpointStatuses()).then((all) => {
      for (const s of all) this.applyStatus(s);
    }, () => {});
  }

  /** A status pushed by the collector. */
  applyStatus(status: EndpointStatus) {
    if (this.#held) {
      this.#held.set(status.endpointId, status);
      return;
    }
    this.#statuses.set(status.endpointId, status);
    if (this.#pending.size === 0) return;
    for (const m of status.routerModels) {
      const key = `${status.endpointId}\u0000${m.id}`;
      const want = this.#pending.get(key);
      if ((want === 'load' && (m.state === 'loaded' || m.state === 'failed')) || (want === 'unload' && m.state === 'unloaded')) {
        this.#pending.delete(key);
      }
    }
  }

  async add(input: EndpointInput): Promise<Endpoint | null> {
    return this.#act(async (src) => {
      const ep = await src.addEndpoint(input);
      await this.refresh();
      return ep;
    });
  }

  async update(id: number, patch: Partial<EndpointInput>) {
    await this.#act(async (src) => {
      await src.updateEndpoint(id, patch);
      await this.refresh();
    });
  }

  async remove(id: number) {
    await this.#act(async (src) => {
      await src.removeEndpoint(id);
      await this.refresh();
    });
  }

  /** Adds the simulated llama-server and exporter, answered inside the database worker. */
  async startSimulation() {
    await this.#act(async (src) => {
      await src.startSimulation();
      await this.refresh();
    });
  }

  /** Removes the simulated endpoints and everything stored for them. */
  async stopSimulation() {
    await this.#act(async (src) => {
      await src.stopSimulation();
      await this.refresh();
    });
  }

  async setEnabled(id: number, enabled: boolean) {
    await this.update(id, { enabled });
  }

  /** The user keeps an endpoint a link added: its card stops asking. */
  async keepFromLink(id: number) {
    await this.update(id, { fromLink: false });
  }

  /** Probes a URL (and key) without saving it; the status says in words what works and what does not. */
  async testConnection(input: EndpointInput, opts?: { identifyOnly?: boolean }): Promise<EndpointStatus> {
    return await this.#need().testConnection(input, opts);
  }

  /**
   * Adds the endpoints named in the page URL (`?server=<base-url>` repeatable, `?exporter=<url>`, `?prometheus=<url>`) that are
   * not known yet, so a link or a script can open the dashboard pointed at a server. They are marked as
   * added by a link (polled meanwhile) until the user keeps or removes them, and never get an API key.
   * Returns the ids of the endpoints the URL named.
   */
  async addFromQuery(search: string): Promise<number[]> {
    const params = new URLSearchParams(search);
    const wanted: { kind: EndpointKind; url: string }[] = [];
    const ignored: string[] = [];
    for (const [param, kind] of [['server', 'llama'], ['exporter', 'exporter'], ['prometheus', 'prometheus']] as const) {
      for (const raw of params.getAll(param)) {
        const url = normaliseBaseUrl(raw);
        if (url) wanted.push({ kind, url });
        else ignored.push(`?${param}=${raw}`);
      }
    }
    const ids: number[] = [];
    for (const w of wanted) {
      const known = this.#list.find((e) => e.kind === w.kind && e.url === w.url);
      if (known) {
        ids.push(known.id);
        continue;
      }
      const ep = await this.add({
        kind: w.kind, name: nameFromUrl(w.url), url: w.url, apiKey: null, intervalMs: DEFAULT_INTERVAL_MS, enabled: true, fromLink: true,
      });
      if (ep) ids.push(ep.id);
    }
    if (ignored.length > 0) {
      this.#error = `Ignored ${ignored.join(', ')}: not an http(s) address like http://127.0.0.1:8080.`;
    }
    return ids;
  }

  /** Asks a router to load a model; the pending mark clears when the collector reports it loaded or failed. */
  async loadModel(endpointId: number, model: string) {
    await this.#routerAction(endpointId, model, 'load');
  }

  async unloadModel(endpointId: number, model: string) {
    await this.#routerAction(endpointId, model, 'unload');
  }

  async #routerAction(endpointId: number, model: string, action: 'load' | 'unload') {
    const key = `${endpointId}\u0000${model}`;
    this.#pending.set(key, action);
    const ok = await this.#act(async (src) => {
      await (action === 'load' ? src.loadModel(endpointId, model) : src.unloadModel(endpointId, model));
      return true;
    });
    if (!ok) this.#pending.delete(key);
  }

  clearError() {
    this.#error = null;
  }

  #need(): EndpointsSource {
    if (!this.#source) throw new Error('The database is not open yet.');
    return this.#source;
  }

  #act<T>(fn: (src: EndpointsSource) => Promise<T>): Promise<T | null> {
    return act((e) => (this.#error = e), () => fn(this.#need()));
  }
}

/** The dashboard's endpoints. */
export const endpoints = new EndpointsState();
