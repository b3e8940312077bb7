import { LlamaSim } from './llama-sim';

/**
 * A llama-server router (started with --models-dir, no -m) in memory: three models, one always loaded and
 * serving requests, one that loads, serves and unloads again in a cycle, one left unloaded until someone
 * loads it. Each load starts a fresh process (its own LlamaSim, counters from 0), as a router's child
 * does. Like LlamaSim, the schedule depends only on the birth time and the time asked, so a worker taking
 * over rebuilds the same router; a load or unload asked through the dashboard holds in this worker until
 * the model's next scheduled change.
 */

/** How long a load takes (the `loading` state). */
export const LOAD_MS = 40_000;
/** The cycling model: loading, then loaded this long, then unloaded until the cycle ends. */
export const LOADED_MS = 150_000;
export const CYCLE_MS = 5 * 60_000;

type Schedule = 'always' | 'cycle' | 'never';

interface ModelSpec {
  id: string;
  schedule: Schedule;
  /** A new request every this many ms while it is loaded. */
  everyMs: number;
}

/** The router's models, in the order /models lists them. */
export const ROUTER_MODELS: readonly ModelSpec[] = [
  { id: 'simulated-qwen-7b-q4_k_m', schedule: 'always', everyMs: 4000 },
  { id: 'simulated-mistral-12b-q5_k_m', schedule: 'cycle', everyMs: 6000 },
  { id: 'simulated-embed-small-f16', schedule: 'never', everyMs: 3000 },
];

export type SimModelState = 'unloaded' | 'loading' | 'loaded';

/** Where a model stands at a time, and since when its current process runs (loaded only). */
interface ModelAt {
  state: SimModelState;
  /** When the load that led here began (loading and loaded). */
  loadAt: number | null;
}

/** A load or unload asked through the dashboard: holds until the model's next scheduled change. */
interface Override {
  action: 'load' | 'unload';
  at: number;
}

export class RouterSim {
  readonly bornAt: number;
  readonly #overrides = new Map<string, Override>();
  /** The process of each loaded model, keyed by model and load time. */
  readonly #procs = new Map<string, LlamaSim>();

  constructor(now: number) {
    this.bornAt = now;
  }

  /** The last scheduled change of a model at or before `t` (-Infinity when it never changes). */
  #lastChange(spec: ModelSpec, t: number): number {
    if (spec.schedule !== 'cycle') return -Infinity;
    const inCycle = (t - this.bornAt) % CYCLE_MS;
    const cycleStart = t - inCycle;
    if (inCycle >= LOAD_MS + LOADED_MS) return cycleStart + LOAD_MS + LOADED_MS;
    return cycleStart;
  }

  #scheduled(spec: ModelSpec, t: number): ModelAt {
    if (spec.schedule === 'always') return { state: 'loaded', loadAt: this.bornAt - LOAD_MS };
    if (spec.schedule === 'never') return { state: 'unloaded', loadAt: null };
    const inCycle = (t - this.bornAt) % CYCLE_MS;
    const loadAt = t - inCycle;
    if (inCycle < LOAD_MS) return { state: 'loading', loadAt };
    if (inCycle < LOAD_MS + LOADED_MS) return { state: 'loaded', loadAt };
    return { state: 'unloaded', loadAt: null };
  }

  /** The state of model `id` at `t`. */
  at(id: string, t: number): ModelAt {
    const spec = ROUTER_MODELS.find((m) => m.id === id);
    if (!spec) throw new Error(`no simulated model ${id}`);
    const o = this.#overrides.get(id);
    if (o && o.at < this.#lastChange(spec, t)) this.#overrides.delete(id);
    const still = this.#overrides.get(id);
    if (!still) return this.#scheduled(spec, t);
    if (still.action === 'unload') return { state: 'unloaded', loadAt: null };
    return { state: t - still.at < LOAD_MS ? 'loading' : 'loaded', loadAt: still.at };
  }

  /** The process serving model `id` at `t`, or null when the model is not loaded. */
  process(id: string, t: number): LlamaSim | null {
    const m = this.at(id, t);
    if (m.state !== 'loaded' || m.loadAt === null) return null;
    const key = `${id}@${m.loadAt}`;
    let p = this.#procs.get(key);
    if (!p) {
      const spec = ROUTER_MODELS.find((x) => x.id === id)!;
      for (const k of this.#procs.keys()) if (k.startsWith(`${id}@`)) this.#procs.delete(k);
      p = new LlamaSim(m.loadAt + LOAD_MS, { restarts: false, alias: id, path: `/models/router/${id}.gguf`, everyMs: spec.everyMs });
      this.#procs.set(key, p);
    }
    return p;
  }

  /**
   * POST /models/load or /models/unload: an error message (with the router's status code) when there
   * is nothing to do, else null. The change starts now and completes later, as on a real router.
   */
  change(id: string, action: 'load' | 'unload', t: number): { status: number; message: string } | null {
    if (!ROUTER_MODELS.some((m) => m.id === id)) return action === 'load' ? { status: 404, message: 'File Not Found' } : { status: 400, message: 'model is not found' };
    const state = this.at(id, t).state;
    if (action === 'load' && state !== 'unloaded') return { status: 400, message: 'model is already running' };
    if (action === 'unload' && state === 'unloaded') return { status: 400, message: 'model is not running' };
    this.#overrides.set(id, { action, at: t });
    return null;
  }

  /** Share of all loaded models' slots that are busy at `t`. */
  busyShare(t: number): number {
    const procs = ROUTER_MODELS.map((m) => this.process(m.id, t)).filter((p): p is LlamaSim => p !== null);
    return procs.length ? procs.reduce((s, p) => s + p.busyShare(t), 0) / procs.length : 0;
  }

  /** GET /models in the captured layout (status.value per model, the arguments the router starts it with). */
  models(t: number): Record<string, unknown> {
    return {
      data: ROUTER_MODELS.map((m) => {
        const { state } = this.at(m.id, t);
        const path = `/models/router/${m.id}.gguf`;
        const port = state === 'unloaded' ? '0' : String(39_000 + ROUTER_MODELS.indexOf(m));
        return {
          id: m.id, aliases: [], tags: [], object: 'model', owned_by: 'llamacpp', created: Math.floor(this.bornAt / 1000),
          status: {
            value: state,
            args: ['llama-server', '--host', '127.0.0.1', '--metrics', '--port', port, '--alias', m.id, '--ctx-size', '8192', '--model', path, '--parallel', '2'],
            preset: `[${m.id}]\nmetrics = 1\nctx-size = 8192\nmodel = ${path}\nparallel = 2\n\n`,
          },
          architecture: { input_modalities: ['text'], output_modalities: ['text'] },
          source: 'models_dir',
          can_remove: false,
        };
      }),
    };
  }
}
