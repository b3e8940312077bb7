import { SvelteMap } from 'svelte/reactivity';
import type { DbApi, Port } from '../worker/surface';
import type { EndpointStatus, ModelConfig, ModelConfigInput, ModelStatus } from '../lib/types';
import { getCatalogue, parseHelp, validateConfig, type Catalogue, type ConfigIssue } from '../lib/params';
import { endpoints } from './endpoints.svelte';
import { act } from './act';

type Summary = Awaited<ReturnType<DbApi['listCatalogues']>>[number];

/** What the models state needs from the worker. */
export type ModelsSource = Port<
  'listModels' | 'createModel' | 'updateModel' | 'deleteModel' | 'deleteAllModels' |
  'saveCatalogue' | 'listCatalogues' | 'getCatalogue' | 'deleteCatalogue'
>;

/** Statuses in filter order, with labels. */
export const MODEL_STATUSES: { id: ModelStatus; label: string }[] = [
  { id: 'running', label: 'Running' },
  { id: 'loading', label: 'Loading' },
  { id: 'stopped', label: 'Stopped' },
  { id: 'error', label: 'Error' },
  { id: 'draft', label: 'Draft (invalid)' },
];

/** A linked configuration's status as its endpoint reports it now, with a line saying why. */
export interface LiveStatus {
  status: ModelStatus;
  detail: string;
}

/**
 * Maps what the collector says about an endpoint (and, for a router, one of its models) to a
 * configuration status. Undefined status = the endpoint is gone or not polled yet.
 */
export function linkedStatus(s: EndpointStatus | undefined, routerModel: string | null): LiveStatus {
  if (!s) return { status: 'stopped', detail: 'the linked endpoint is not known (removed?)' };
  if (routerModel) {
    if (s.state === 'down' || s.state === 'error' || s.state === 'disabled') {
      return { status: s.state === 'error' ? 'error' : 'stopped', detail: `router ${s.state}${s.message ? `: ${s.message}` : ''}` };
    }
    const m = s.routerModels.find((r) => r.id === routerModel);
    if (!m) return { status: 'stopped', detail: s.isRouter ? `the router does not list ${routerModel}` : 'the endpoint is not a router' };
    const map: Record<string, ModelStatus> = {
      loaded: 'running', sleeping: 'running', loading: 'loading', downloading: 'loading', unloaded: 'stopped', failed: 'error',
    };
    const pct = m.progress !== null ? ` ${Math.round(m.progress * 100)}%` : '';
    return { status: map[m.state] ?? 'error', detail: `${m.state}${pct}` };
  }
  const map: Record<string, ModelStatus> = {
    ok: 'running', busy: 'running', sleeping: 'running', loading: 'loading', connecting: 'loading',
    down: 'stopped', disabled: 'stopped', error: 'error',
  };
  return { status: map[s.state] ?? 'error', detail: s.message ?? s.state };
}

/** The stored fields of a configuration, without id and timestamps. */
function inputOf(m: ModelConfig): ModelConfigInput {
  return {
    name: m.name, family: m.family, type: m.type, status: m.status, notes: m.notes, args: { ...m.args },
    extraArgs: [...m.extraArgs], catalogueId: m.catalogueId, endpointId: m.endpointId, routerModel: m.routerModel,
  };
}

/** Model configurations, their filters, and the catalogues of other llama-server builds. */
export class ModelsState {
  #source: ModelsSource | null = null;
  #statusOf: (endpointId: number) => EndpointStatus | undefined;
  #list = $state.raw<ModelConfig[]>([]);
  #catalogues = $state.raw<Summary[]>([]);
  #loadedCatalogues = new SvelteMap<number, Catalogue>();
  #loading = new Map<number, Promise<Catalogue | null>>();
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #search = $state('');
  #statusFilter = $state<ModelStatus | ''>('');
  #typeFilter = $state('');

  readonly list = $derived(this.#list);
  readonly loaded = $derived(this.#loaded);
  /** Last failed action, in words, or null. */
  readonly error = $derived(this.#error);
  readonly catalogues = $derived(this.#catalogues);
  readonly search = $derived(this.#search);
  readonly statusFilter = $derived(this.#statusFilter);
  readonly typeFilter = $derived(this.#typeFilter);
  /** Types in use, for the type filter. */
  readonly types = $derived([...new Set(this.#list.map((m) => m.type).filter(Boolean))].sort());
  /** The list after search (name, family, type, notes) and the status and type filters. */
  readonly filtered = $derived.by(() => {
    const words = this.#search.toLowerCase().split(/\s+/).filter(Boolean);
    return this.#list.filter((m) => {
      if (this.#typeFilter && m.type !== this.#typeFilter) return false;
      if (this.#statusFilter && !this.hasStatus(m, this.#statusFilter)) return false;
      const hay = `${m.name} ${m.family} ${m.type} ${m.notes}`.toLowerCase();
      return words.every((w) => hay.includes(w));
    });
  });

  constructor(statusOf: (endpointId: number) => EndpointStatus | undefined = () => undefined) {
    this.#statusOf = statusOf;
  }

  /** Hands in the worker API and reads the configurations and stored catalogues. */
  async connect(source: ModelsSource): Promise<void> {
    this.#source = source;
    await this.refresh();
  }

  async refresh(): Promise<void> {
    await this.#act(async (src) => {
      const [list, cats] = await Promise.all([src.listModels(), src.listCatalogues()]);
      this.#list = list;
      this.#catalogues = cats;
      this.#loaded = true;
    });
  }

  setSearch(text: string) { this.#search = text; }
  setStatusFilter(s: ModelStatus | '') { this.#statusFilter = s; }
  setTypeFilter(t: string) { this.#typeFilter = t; }

  get(id: number): ModelConfig | undefined {
    return this.#list.find((m) => m.id === id);
  }

  /** Live status from the linked endpoint, or null when the configuration is not linked. */
  live(m: Pick<ModelConfig, 'endpointId' | 'routerModel'>): LiveStatus | null {
    return m.endpointId === null ? null : linkedStatus(this.#statusOf(m.endpointId), m.routerModel);
  }

  /** The status to show: live when linked, else the stored one. */
  statusOf(m: ModelConfig): ModelStatus {
    return this.live(m)?.status ?? m.status;
  }

  /** Filter test: 'draft' matches a stored invalid configuration even when it is linked and running. */
  hasStatus(m: ModelConfig, s: ModelStatus): boolean {
    return s === 'draft' ? m.status === 'draft' : this.statusOf(m) === s;
  }

  /** Creates (id null) or updates a configuration; returns it, or null with `error` set. */
  async save(id: number | null, input: ModelConfigInput): Promise<ModelConfig | null> {
    return this.#act(async (src) => {
      const saved = id === null ? await src.createModel(input) : await src.updateModel(id, input);
      await this.refresh();
      return saved;
    });
  }

  /** Copies a configuration under a free name ("name (copy)", "name (copy 2)", ...). */
  async duplicate(id: number): Promise<ModelConfig | null> {
    const m = this.get(id);
    if (!m) return null;
    return this.save(null, { ...inputOf(m), name: this.freeName(`${m.name} (copy)`) });
  }

  /** `base`, or `base 2`, `base 3`... whichever no configuration has yet (case-insensitive). */
  freeName(base: string): string {
    const taken = new Set(this.#list.map((m) => m.name.toLowerCase()));
    if (!taken.has(base.toLowerCase())) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base} ${i}`.toLowerCase())) return `${base} ${i}`;
  }

  async remove(id: number): Promise<void> {
    await this.#act(async (src) => {
      await src.deleteModel(id);
      await this.refresh();
    });
  }

  async removeAll(): Promise<number | null> {
    return this.#act(async (src) => {
      const n = await src.deleteAllModels();
      await this.refresh();
      return n;
    });
  }

  /**
   * Reads a pasted `llama-server --help` into a catalogue and stores it under `build`. Refuses text
   * that yields too few arguments to be a help output, so a wrong paste is not stored as a build.
   */
  async addCatalogue(build: string, helpText: string): Promise<number | null> {
    return this.#act(async (src) => {
      const label = build.trim();
      if (!label) throw new Error('Name the build (for example b10573, as `llama-server --version` prints it).');
      const catalogue = parseHelp(helpText, { build: label });
      if (catalogue.args.length < 20) {
        throw new Error(`Only ${catalogue.args.length} arguments were found: paste the whole output of \`llama-server --help\`.`);
      }
      const { id } = await src.saveCatalogue({ build: label, helpText, catalogue });
      this.#loadedCatalogues.set(id, catalogue);
      await this.refresh();
      return id;
    });
  }

  async deleteCatalogue(id: number): Promise<void> {
    await this.#act(async (src) => {
      await src.deleteCatalogue(id);
      this.#loadedCatalogues.delete(id);
      await this.refresh();
    });
  }

  /** The catalogue a configuration targets (built-in for null); undefined while a stored one loads. */
  catalogue(id: number | null): Catalogue | undefined {
    if (id === null) return getCatalogue();
    const c = this.#loadedCatalogues.get(id);
    if (!c) void this.loadCatalogue(id);
    return c;
  }

  async loadCatalogue(id: number): Promise<Catalogue | null> {
    const known = this.#loadedCatalogues.get(id);
    if (known) return known;
    // Every row of a list asks while the catalogue is on its way: one read serves them all.
    let pending = this.#loading.get(id);
    if (!pending) {
      pending = this.#readCatalogue(id).finally(() => this.#loading.delete(id));
      this.#loading.set(id, pending);
    }
    return pending;
  }

  async #readCatalogue(id: number): Promise<Catalogue | null> {
    return this.#act(async (src) => {
      const stored = await src.getCatalogue(id);
      if (!stored) throw new Error(`The llama-server build ${id} is no longer stored; the configuration uses the built-in one.`);
      const cat = stored.catalogue as Catalogue;
      this.#loadedCatalogues.set(id, cat);
      return cat;
    });
  }

  /**
   * What a stored configuration's build says about it now (a build pasted later can flag one that was
   * fine when saved); null while that build's catalogue loads.
   */
  issues(m: ModelConfig): ConfigIssue[] | null {
    const cat = this.catalogue(m.catalogueId);
    return cat ? validateConfig({ args: m.args, extraArgs: m.extraArgs }, cat, { from: getCatalogue() }) : null;
  }

  /** Build label of a catalogue id, for lists. */
  buildLabel(id: number | null): string {
    if (id === null) return `${getCatalogue().build} (built in)`;
    return this.#catalogues.find((c) => c.id === id)?.build ?? `build #${id}`;
  }

  clearError() { this.#error = null; }

  /** Reports an error from outside (a component's failed action) the same way. */
  fail(message: string) { this.#error = message; }

  #act<T>(fn: (src: ModelsSource) => Promise<T>): Promise<T | null> {
    return act((e) => (this.#error = e), () => {
      if (!this.#source) throw new Error('The database is not open yet.');
      return fn(this.#source);
    });
  }
}

/** The page's model configurations; linked ones read their status from the endpoints state. */
export const models = new ModelsState((id) => endpoints.status(id));
