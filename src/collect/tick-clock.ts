/**
 * The pollers' shared phase. Every endpoint ticks on the multiples of its interval on the wall clock (its
 * grid), and the pollers due at the same moment start from one timer task: the endpoints of one interval
 * are read together, so their frames are stored in one commit and announced to the page in one message
 * instead of one per poller out of phase.
 */

/** Snaps a wait shorter than this to a grid point it ends this close to (timers and clocks drift by a ms or two). */
const SNAP_MS = 10;

/**
 * When the next poll of an endpoint runs, given the one that started at `started` asked to wait `delay`.
 * A tick (a wait of one interval or more: the interval itself, a backoff) lands on the first grid point no
 * earlier than a quarter interval before the time asked for, so consecutive ticks stay between 0.75 and
 * 1.75 intervals apart while a poller finds its phase, then exactly one apart. A shorter wait
 * (llama-server's fast /slots reads between ticks) is kept as asked, unless it ends within SNAP_MS of a
 * grid point (the tick that follows the fast reads): then it joins that point.
 */
export function nextPollAt(started: number, delay: number, intervalMs: number): number {
  const at = started + delay;
  if (delay >= intervalMs) return onGrid(at - intervalMs / 4, intervalMs);
  const near = Math.round(at / intervalMs) * intervalMs;
  return Math.abs(near - at) <= SNAP_MS ? near : at;
}

/** The first multiple of `intervalMs` at or after `t`. */
export function onGrid(t: number, intervalMs: number): number {
  return Math.ceil(t / intervalMs) * intervalMs;
}

/**
 * Runs callbacks at given wall-clock times; the callbacks due at the same time share one timer and run in
 * one task, in the order they were added.
 */
export class TickClock {
  readonly #now: () => number;
  readonly #due = new Map<number, { timer: ReturnType<typeof setTimeout>; fns: Set<() => void> }>();

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Runs fn at time `at` (at once if that has passed); returns the function that cancels it. */
  at(at: number, fn: () => void): () => void {
    let group = this.#due.get(at);
    if (!group) {
      const fns = new Set<() => void>();
      const timer = setTimeout(() => {
        this.#due.delete(at);
        for (const f of fns) f();
      }, Math.max(0, at - this.#now()));
      group = { timer, fns };
      this.#due.set(at, group);
    }
    // A function object of its own, so that the same fn added twice is cancelled once at a time.
    const entry = () => fn();
    group.fns.add(entry);
    const g = group;
    return () => {
      g.fns.delete(entry);
      if (g.fns.size === 0 && this.#due.get(at) === g) {
        clearTimeout(g.timer);
        this.#due.delete(at);
      }
    };
  }
}
