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

export interface FrameQueueOptions {
  /** The shortest poll interval of the running pollers (ms): the queue's pace. */
  intervalMs(): number;
  now(): number;
}

/**
 * The frames of one tick are stored together and announced in one event: one commit per tick, because a
 * commit costs ~1-2 ms on OPFS where a row inside one costs ~0.03 ms (measured in Chromium here), and one
 * message per tick to each tab, however many endpoints there are. The pollers start on the multiples of
 * their interval (collect/tick-clock.ts) and say when each poll ends. The queue stores once per tick of
 * the shortest interval: when no poll is running any more, or half an interval after the tick's first
 * submission if one still is (a slow endpoint holds the others back that long at most). What arrives after
 * the tick's flush (a slow endpoint's late frames) goes out with the next tick's, never later than one
 * interval after it arrived. On a failure the submissions are retried one by one, so one bad frame does
 * not cost the other endpoints their samples.
 */
export class FrameQueue {
  readonly #hooks: FrameQueueHooks;
  readonly #opts: FrameQueueOptions;
  #queued: Submission[] = [];
  /** When the first submission now queued arrived. */
  #openedAt = 0;
  #lastFlush = -Infinity;
  #running = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(hooks: FrameQueueHooks, opts: FrameQueueOptions) {
    this.#hooks = hooks;
    this.#opts = opts;
  }

  /** A poll has started; call the function returned when it has ended (once; later calls do nothing). */
  pollStarted(): () => void {
    this.#running++;
    // A straggler's frames due now wait for this tick's instead.
    this.#arm();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#running--;
      this.#arm();
    };
  }

  push(frames: SampleFrame[], events?: SeriesEvent[]): void {
    if (this.#queued.length === 0) this.#openedAt = this.#opts.now();
    this.#queued.push({ frames, events });
    this.#arm();
  }

  /** Stores what is queued now (before a hand-over, an export or an import). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#queued;
    this.#queued = [];
    if (batch.length === 0) return;
    this.#lastFlush = this.#opts.now();
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

  /** (Re)sets the flush timer: see the class comment. Never flushes in the caller's stack (a poller's). */
  #arm(): void {
    if (this.#queued.length === 0) return;
    const interval = this.#opts.intervalMs();
    const now = this.#opts.now();
    const tick = Math.floor(now / interval) * interval;
    let due: number;
    if (this.#lastFlush >= tick) {
      // This tick has had its flush: wait for the next one's (its polls starting call this again).
      due = tick + 1.5 * interval;
    } else if (this.#running > 0) {
      // Frames carried over from the last tick wait for this one's polls as long as its own do.
      due = Math.max(this.#openedAt, tick) + interval / 2;
    } else {
      due = now;
    }
    // Whatever happens, nothing waits longer than one interval.
    due = Math.min(due, this.#openedAt + interval);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.flush(), Math.max(0, due - now));
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
