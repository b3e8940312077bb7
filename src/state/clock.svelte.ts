import { createSubscriber } from 'svelte/reactivity';

/** What the clock needs from the page: timers, the time and whether the tab is hidden. */
export interface ClockEnv {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  hidden(): boolean;
  /** Calls `fn` when the tab is hidden or shown; returns the function that stops listening. */
  onVisibility(fn: () => void): () => void;
}

const pageEnv = (): ClockEnv => ({
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  hidden: () => document.hidden,
  onVisibility: (fn) => {
    document.addEventListener('visibilitychange', fn);
    return () => document.removeEventListener('visibilitychange', fn);
  },
});

/** How long after a tick the clock waits before moving by itself: more than one 1-second interval, so a
 * tick arriving a few ms late comes first. */
const SYNC_HOLD_MS = 1500;

/**
 * The page's one wall clock for "x s ago" texts and the live chart window: a single 1-second timer
 * however many components read it, running only while something reads it and the tab shows. A hidden
 * tab's clock stands still (nothing is drawn) with no timer at all; shown again, it jumps to the current
 * time at once. While poll ticks keep coming (sync) its timer never fires: each tick pushes it back.
 */
export class Clock {
  #env: ClockEnv | null;
  #now = $state(0);
  #holders = 0;
  #stop: (() => void) | null = null;
  #timer: unknown = null;
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
    this.#now = e.now();
    // A wake-up costs more than the work it does (on a 2-vCPU VM, ~2.5 ms of CPU each): the timer is
    // pushed back rather than left to fire between ticks and find nothing to do.
    this.#arm(e, SYNC_HOLD_MS);
  }

  #start() {
    const e = (this.#env ??= pageEnv());
    this.#tick(e);
    const unlisten = e.onVisibility(() => this.#tick(e));
    this.#stop = () => {
      this.#disarm(e);
      unlisten();
    };
  }

  /** Reads the time and comes back in a second; hidden, it stands still with no timer. */
  #tick(e: ClockEnv) {
    if (e.hidden()) return this.#disarm(e);
    this.#now = e.now();
    this.#arm(e, 1000);
  }

  #arm(e: ClockEnv, ms: number) {
    this.#disarm(e);
    this.#timer = e.setTimeout(() => {
      this.#timer = null;
      this.#tick(e);
    }, ms);
  }

  #disarm(e: ClockEnv) {
    if (this.#timer !== null) e.clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** The page's clock. */
export const clock = new Clock();
