import type { DbEvent, LatestValues, SampleFrame, SeriesEvent } from '../lib/types';

/** One poller's submission: the frames (and events) of one tick of one endpoint. */
export interface Submission {
  frames: SampleFrame[];
  events?: SeriesEvent[];
}

export interface FrameQueueHooks {
  /** Stores submissions atomically (all or none); throws on failure. */
  store(batch: Submission[]): void;
  /** Called after each flush with what was flushed, and whether nothing failed. */
  stored(batch: Submission[], allStored: boolean): void;
  /** A submission that could not be stored, with the reason. */
  failed(error: unknown): void;
}

/**
 * Pollers tick on their own timers; their frames are stored together, one commit per window,
 * because a commit costs ~1-2 ms on OPFS where a row inside one costs ~0.03 ms (measured in
 * Chromium here). On a failure the submissions are retried one by one, so one bad frame does not
 * cost the other endpoints their samples.
 */
export class FrameQueue {
  readonly #hooks: FrameQueueHooks;
  readonly #delayMs: number;
  #queued: Submission[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(hooks: FrameQueueHooks, delayMs = 250) {
    this.#hooks = hooks;
    this.#delayMs = delayMs;
  }

  push(frames: SampleFrame[], events?: SeriesEvent[]): void {
    this.#queued.push({ frames, events });
    this.#timer ??= setTimeout(() => this.flush(), this.#delayMs);
  }

  /** Stores what is queued now (before a hand-over, an export or an import). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#queued;
    this.#queued = [];
    if (batch.length === 0) return;
    let allStored = true;
    try {
      this.#hooks.store(batch);
    } catch {
      for (const one of batch) {
        try {
          this.#hooks.store([one]);
        } catch (e) {
          allStored = false;
          this.#hooks.failed(e);
        }
      }
    }
    this.#hooks.stored(batch, allStored);
  }
}

/** The 'frames' event announcing stored submissions: each endpoint's newest values and the events. */
export function framesEvent(batch: Submission[], ts: number): Extract<DbEvent, { type: 'frames' }> {
  const latest = new Map<number, LatestValues>();
  for (const f of batch.flatMap((b) => b.frames)) {
    const known = latest.get(f.endpointId);
    if (known && known.ts > f.ts) continue;
    // As the database gives them back: a missing value (NaN) reads as null.
    const values = Object.fromEntries(Object.entries(f.values).map(([k, v]) => [k, v === null || Number.isNaN(v) ? null : v]));
    latest.set(f.endpointId, { endpointId: f.endpointId, ts: f.ts, values });
  }
  const events = batch.flatMap((b) => b.events ?? []);
  // Events count too: a window holding only an exporter's 'down' marker must name its endpoint.
  const ids = new Set([...latest.keys(), ...events.map((e) => e.endpointId)]);
  return { type: 'frames', endpointIds: [...ids], ts, latest: [...latest.values()], events };
}
