import { METRICS_TEMPLATE, PROPS, SLOT_PARAMS } from './captures';

/**
 * A llama-server in memory, driven by the clock the caller passes: requests come and go on its slots,
 * its counters move when a real server's do (prompt counters when the prompt ends, generation counters
 * when the request ends, n_decode meanwhile), a long request now and then fills a slot's context, and it
 * restarts once (counters back to 0) as a real process would. Ported from tests/fixtures/llama-stand-in-sim.mjs.
 * Its state at a time depends only on when it was born and that time, never on when or how often it was
 * read: a worker that takes the simulation over from a closed tab rebuilds the same server from its birth
 * time, and the simulated exporter can replay its past for history.
 */

const COUNTERS = [
  'prompt_tokens_total', 'prompt_tokens_cached_total', 'prompt_seconds_total', 'tokens_predicted_total',
  'tokens_predicted_seconds_total', 'n_decode_total', 'n_tokens_max', 'spec_decode_num_draft_tokens_total',
  'spec_decode_num_accepted_tokens_total', 'spec_decode_num_drafts_total',
] as const;

type Counter = (typeof COUNTERS)[number];

/** Short chat-sized requests: a new one every so often on a free slot. */
const STEADY = { everyMs: 2500, promptTokens: 48, promptMs: 80, genTokens: 140, genMs: 3500 };
/** Prompt tokens evaluated per step while a prompt runs (-b 128 in the captures). */
const BATCH = 128;
/** A long request that fills its slot's context arrives this often. */
const LONG_EVERY_MS = 75_000;
/** The simulated process restarts this long after the simulation starts, then every RESTART_EVERY_MS. */
export const FIRST_RESTART_MS = 4 * 60_000;
export const RESTART_EVERY_MS = 30 * 60_000;
/** Context per slot. */
export const SIM_N_CTX = 4096;

interface Task {
  id: number;
  promptTokens: number;
  promptMs: number;
  genTokens: number;
  genMs: number;
  start: number;
  promptDone: boolean;
}

interface Slot {
  id: number;
  task: Task | null;
  last: { id: number; tokens: number } | null;
}

interface Request {
  id: number;
  promptTokens: number;
  promptMs: number;
  genTokens: number;
  genMs: number;
}

/** What tells one simulated server (or one model of the simulated router) from another. */
export interface LlamaSimOptions {
  /** The process restarts FIRST_RESTART_MS after birth and every RESTART_EVERY_MS after (default true). */
  restarts?: boolean;
  alias?: string;
  path?: string;
  /** A new short request every this many ms while a slot is free (default 2500). */
  everyMs?: number;
}

/** The simulated llama-server; every method takes the current time (ms), never earlier than the last. */
export class LlamaSim {
  readonly nSlots = 2;
  readonly bornAt: number;
  startedAt = 0;
  restarts = 0;
  readonly #o: Required<LlamaSimOptions>;
  #c = {} as Record<Counter, number>;
  #slots: Slot[] = [];
  #deferred: Request[] = [];
  /** Requests made since the process started: their sizes follow from it. */
  #seq = 0;
  #lastSpawn = 0;
  #lastLong = 0;
  #window = { prompt: 0, promptSec: 0, gen: 0, genSec: 0 };

  constructor(now: number, options: LlamaSimOptions = {}) {
    this.bornAt = now;
    this.#o = { restarts: true, alias: 'simulated-llama-3b-q4_k_m', path: '/models/simulated-llama-3b-q4_k_m.gguf', everyMs: STEADY.everyMs, ...options };
    this.#restart(now);
  }

  #restart(now: number): void {
    this.startedAt = now;
    this.#c = Object.fromEntries(COUNTERS.map((k) => [k, 0])) as Record<Counter, number>;
    this.#slots = Array.from({ length: this.nSlots }, (_, id) => ({ id, task: null, last: null }));
    this.#deferred = [];
    this.#seq = 0;
    this.#lastSpawn = now;
    this.#lastLong = now - LONG_EVERY_MS + 20_000;
    this.#window = { prompt: 0, promptSec: 0, gen: 0, genSec: 0 };
  }

  /** When the next restart is due. */
  #restartDue(): number {
    if (!this.#o.restarts) return Infinity;
    return this.restarts === 0 ? this.bornAt + FIRST_RESTART_MS : this.startedAt + RESTART_EVERY_MS;
  }

  /**
   * The next request's number and task id. A real server also spends task ids on reads of /metrics and
   * /slots; one id a second stands for those, so ids jump as they do there whoever reads.
   */
  #next(t: number): { seq: number; id: number } {
    const seq = this.#seq++;
    return { seq, id: seq + Math.floor((t - this.startedAt) / 1000) };
  }

  #request(t: number): Request {
    const { seq: id, id: taskId } = this.#next(t);
    return {
      id: taskId,
      promptTokens: STEADY.promptTokens + (id % 5) * 24,
      promptMs: STEADY.promptMs + (id % 3) * 40,
      genTokens: STEADY.genTokens + ((id * 7) % 90),
      genMs: STEADY.genMs + (id % 4) * 600,
    };
  }

  /** A request whose prompt and answer together fill the slot's context. */
  #longRequest(t: number): Request {
    const { id } = this.#next(t);
    const promptTokens = 1400;
    return { id, promptTokens, promptMs: 900, genTokens: SIM_N_CTX - promptTokens, genMs: 40_000 };
  }

  #place(req: Request, t: number): void {
    const free = this.#slots.find((s) => !s.task);
    if (!free) this.#deferred.push(req);
    else free.task = { ...req, start: t, promptDone: false };
  }

  #end(t: Task): number {
    return t.start + t.promptMs + t.genMs;
  }

  /** Replays every event up to `now` in time order. */
  advance(now: number): void {
    // The hours a closed tab missed are replayed too, as a real server kept serving meanwhile (a day of them: ~90 ms here).
    for (;;) {
      let next: { t: number; kind: 'restart' | 'spawn' | 'long' | 'prompt' | 'end'; slot: Slot | null } = { t: this.#restartDue(), kind: 'restart', slot: null };
      if (this.#lastSpawn + this.#o.everyMs < next.t) next = { t: this.#lastSpawn + this.#o.everyMs, kind: 'spawn', slot: null };
      if (this.#lastLong + LONG_EVERY_MS < next.t) next = { t: this.#lastLong + LONG_EVERY_MS, kind: 'long', slot: null };
      for (const s of this.#slots) {
        if (!s.task) continue;
        const pd = s.task.start + s.task.promptMs;
        if (!s.task.promptDone && pd < next.t) next = { t: pd, kind: 'prompt', slot: s };
        else if (s.task.promptDone && this.#end(s.task) < next.t) next = { t: this.#end(s.task), kind: 'end', slot: s };
      }
      if (next.t > now) return;
      this.#apply(next.kind, next.slot, next.t);
    }
  }

  #apply(kind: 'restart' | 'spawn' | 'long' | 'prompt' | 'end', slot: Slot | null, t: number): void {
    if (kind === 'restart') {
      this.restarts++;
      this.#restart(t);
    } else if (kind === 'spawn') {
      this.#lastSpawn = t;
      // Traffic waves: every third minute is quiet, so the charts show requests coming and going.
      const quiet = Math.floor((t - this.bornAt) / 60_000) % 3 === 2;
      if (!quiet && this.#slots.some((s) => !s.task)) this.#place(this.#request(t), t);
    } else if (kind === 'long') {
      this.#lastLong = t;
      this.#place(this.#longRequest(t), t);
    } else if (kind === 'prompt' && slot?.task) {
      const task = slot.task;
      task.promptDone = true;
      this.#c.prompt_tokens_total += task.promptTokens;
      this.#c.prompt_seconds_total += task.promptMs / 1000;
      this.#c.n_decode_total += Math.ceil(task.promptTokens / BATCH);
      this.#window.prompt += task.promptTokens;
      this.#window.promptSec += task.promptMs / 1000;
    } else if (kind === 'end' && slot?.task) {
      const task = slot.task;
      this.#c.tokens_predicted_total += task.genTokens;
      this.#c.tokens_predicted_seconds_total += task.genMs / 1000;
      this.#c.n_decode_total += task.genTokens;
      this.#c.n_tokens_max = Math.max(this.#c.n_tokens_max, task.promptTokens + task.genTokens);
      this.#window.gen += task.genTokens;
      this.#window.genSec += task.genMs / 1000;
      slot.last = { id: task.id, tokens: task.promptTokens + task.genTokens - 1 };
      slot.task = null;
      const waiting = this.#deferred.shift();
      if (waiting) this.#place(waiting, t);
    }
  }

  #decoded(t: Task, now: number): number {
    if (!t.promptDone) return 0;
    return Math.min(t.genTokens, 1 + Math.floor(((t.genTokens - 1) * (now - t.start - t.promptMs)) / t.genMs));
  }

  #processed(t: Task, now: number): number {
    if (t.promptDone) return t.promptTokens;
    const done = (t.promptTokens * Math.max(0, now - t.start)) / t.promptMs;
    return Math.min(t.promptTokens, Math.floor(done / BATCH) * BATCH);
  }

  /** /metrics in the captured layout; the two throughput gauges average since the previous read. */
  metricsText(now: number): string {
    this.advance(now);
    const processing = this.#slots.filter((s) => s.task).length;
    const w = this.#window;
    const inFlight = this.#slots.reduce((n, s) => n + (s.task ? this.#decoded(s.task, now) : 0), 0);
    const values: Record<string, number> = {
      ...this.#c,
      n_decode_total: this.#c.n_decode_total + inFlight,
      prompt_tokens_seconds: w.promptSec > 0 ? w.prompt / w.promptSec : 0,
      predicted_tokens_seconds: w.genSec > 0 ? w.gen / w.genSec : 0,
      requests_processing: processing,
      requests_deferred: this.#deferred.length,
      n_busy_slots_per_decode: processing > 0 ? processing : this.#c.n_decode_total > 0 ? 1 : 0,
    };
    this.#window = { prompt: 0, promptSec: 0, gen: 0, genSec: 0 };
    return METRICS_TEMPLATE.replace(/^llamacpp:(\w+) .*$/gm, (line, name: string) =>
      name in values ? `llamacpp:${name} ${+values[name].toFixed(6)}` : line,
    );
  }

  /** /slots in the captured layout (an idle slot keeps its last task's id and tokens, n_decoded 0). */
  slots(now: number): Record<string, unknown>[] {
    this.advance(now);
    return this.#slots.map((s) => {
      const t = s.task;
      const base = { id: s.id, n_ctx: SIM_N_CTX, speculative: false, is_processing: !!t };
      if (!t && !s.last) return base;
      const decoded = t ? this.#decoded(t, now) : 0;
      const processed = t ? this.#processed(t, now) : 0;
      const seen = !t ? s.last!.tokens : t.promptDone ? t.promptTokens + decoded : Math.min(t.promptTokens, processed + BATCH);
      return {
        ...base,
        id_task: t ? t.id : s.last!.id,
        n_prompt_tokens: seen,
        n_prompt_tokens_processed: processed,
        n_prompt_tokens_cache: 0,
        params: SLOT_PARAMS,
        next_token: [{ has_next_token: !!t, has_new_line: false, n_remain: t ? t.genTokens - decoded : -1, n_decoded: decoded }],
      };
    });
  }

  /** Share of the slots busy at `now` (the simulated GPU's load). */
  busyShare(now: number): number {
    this.advance(now);
    return this.#slots.filter((s) => s.task).length / this.nSlots;
  }

  /** /props: the captured reply with this simulation's model, slots and context. */
  props(): Record<string, unknown> {
    const dgs = (PROPS.default_generation_settings ?? {}) as Record<string, unknown>;
    return {
      ...PROPS,
      default_generation_settings: { ...dgs, n_ctx: SIM_N_CTX },
      total_slots: this.nSlots,
      model_alias: this.#o.alias,
      model_path: this.#o.path,
    };
  }

  /** Seconds since the epoch when the current process started (the Process-Start-Time-Unix header). */
  processStart(): number {
    return Math.floor(this.startedAt / 1000);
  }
}
