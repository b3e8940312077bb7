import { createSubscriber } from 'svelte/reactivity';

/** What the clock needs from the page: timers, the time and whether the tab is hidden. */
export interface ClockEnv {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(timer: unknown): void;
  hidden(): boolean;
  /** Calls `fn` when the tab is hidden or shown; returns the function that stops listening. */
  onVisibility(fn: () => void): () => void;
}

const pageEnv = (): ClockEnv => ({
  now: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (t) => clearInterval(t as ReturnType<typeof setInterval>),
  hidden: () => document.hidden,
  onVisibility: (fn) => {
    document.addEventListener('visibilitychange', fn);
    return () => document.removeEventListener('visibilitychange', fn);
  },
});

/** How long after a tick the clock's timer leaves the time alone: more than one 1-second interval, so a
 * tick arriving a few ms late still finds the timer quiet. */
const SYNC_HOLD_MS = 1500;

/**
 * The page's one wall clock for "x s ago" texts and the live chart window: a single 1-second timer
 * however many components read it, running only while something reads it. A hidden tab's clock stands
 * still (nothing is drawn); shown again, it jumps to the current time at once.
 */
export class Clock {
  #env: ClockEnv | null;
  #now = $state(0);
  #holders = 0;
  #stop: (() => void) | null = null;
  /** When sync() last set the time: the timer's own updates wait while ticks keep arriving. */
  #syncedAt = -Infinity;
  #subscribe = createSubscriber(() => this.hold());

  constructor(env?: ClockEnv) {
    this.#env = env ?? null;
    this.#now = env ? env.now() : Date.now();
  }

  /** Wall time in ms; read in an effect or a template, it updates once a second while the tab shows. */
  get now(): number {
    this.#subscribe();
    return this.#now;
  }

  /**
   * Keeps the clock ticking until the returned function is called (reading `now` in an effect does
   * this for the effect's life). One timer serves every holder.
   */
  hold(): () => void {
    if (this.#holders++ === 0) this.#start();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (--this.#holders > 0) return;
      this.#stop?.();
      this.#stop = null;
    };
  }

  /**
   * A poll tick just reached the page: the clock reads the time now, in the same update as the tick's
   * values, and its own timer stays quiet while ticks keep coming, so the page lays out and paints once a
   * second rather than twice (once for the tick, once for the clock). Without ticks it runs by itself.
   */
  sync() {
    const e = this.#env;
    if (!this.#stop || !e || e.hidden()) return;
    this.#syncedAt = e.now();
    this.#now = this.#syncedAt;
  }

  #start() {
    const e = (this.#env ??= pageEnv());
    const update = () => {
      if (e.hidden()) return;
      const t = e.now();
      if (t - this.#syncedAt < SYNC_HOLD_MS) return;
      this.#now = t;
    };
    this.#syncedAt = -Infinity;
    update();
    const timer = e.setInterval(update, 1000);
    const unlisten = e.onVisibility(update);
    this.#stop = () => {
      e.clearInterval(timer);
      unlisten();
    };
  }
}

/** The page's clock. */
export const clock = new Clock();
