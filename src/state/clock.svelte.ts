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

/**
 * The page's one wall clock for "x s ago" texts and the live chart window: a single 1-second timer
 * however many components read it, running only while something reads it. A hidden tab's clock stands
 * still (nothing is drawn); shown again, it jumps to the current time at once.
 */
export class Clock {
  #env: ClockEnv | null;
  #now = $state(0);
  #subscribe: () => void;

  constructor(env?: ClockEnv) {
    this.#env = env ?? null;
    this.#now = env ? env.now() : Date.now();
    this.#subscribe = createSubscriber(() => {
      const e = this.#need();
      const timer = e.setInterval(() => {
        if (!e.hidden()) this.#set(e.now());
      }, 1000);
      const stop = e.onVisibility(() => {
        if (!e.hidden()) this.#set(e.now());
      });
      return () => {
        e.clearInterval(timer);
        stop();
      };
    });
  }

  /** Wall time in ms; read inside an effect or template, it updates once a second while the tab shows. */
  get now(): number {
    this.#subscribe();
    return this.#now;
  }

  #set(t: number) {
    this.#now = t;
  }

  #need(): ClockEnv {
    this.#env ??= pageEnv();
    return this.#env;
  }
}

/** The page's clock. */
export const clock = new Clock();
