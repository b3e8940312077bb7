import { describe, expect, it } from 'vitest';
import { Clock, type ClockEnv } from '../../../src/state/clock.svelte';

/** A page whose time, timers and visibility the test moves by hand. */
function page() {
  const timers = new Map<number, () => void>();
  const listeners = new Set<() => void>();
  const at = { time: 1_000_000, hidden: false };
  let next = 0;
  const env: ClockEnv = {
    now: () => at.time,
    setInterval: (fn, ms) => {
      expect(ms).toBe(1000);
      timers.set(++next, fn);
      return next;
    },
    clearInterval: (t) => timers.delete(t as number),
    hidden: () => at.hidden,
    onVisibility: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  return {
    env, timers, listeners,
    get time() {
      return at.time;
    },
    set time(t: number) {
      at.time = t;
    },
    /** Fires every running 1-second timer once, as a second of wall time passing does. */
    second() {
      at.time += 1000;
      for (const fn of [...timers.values()]) fn();
    },
    setHidden(hidden: boolean) {
      at.hidden = hidden;
      for (const fn of [...listeners]) fn();
    },
  };
}

describe('Clock', () => {
  it('ticks once a second with one timer for every reader, and stops when the last one lets go', () => {
    const p = page();
    const clock = new Clock(p.env);
    const releases = [clock.hold(), clock.hold(), clock.hold()];
    expect(p.timers.size).toBe(1);
    p.second();
    expect(clock.now).toBe(1_001_000);
    p.second();
    expect(clock.now).toBe(1_002_000);
    releases[0]();
    releases[0]();
    releases[1]();
    expect(p.timers.size).toBe(1);
    releases[2]();
    expect(p.timers.size).toBe(0);
    expect(p.listeners.size).toBe(0);
  });

  it('stands still while the tab is hidden and shows the current time at once when it is shown again', () => {
    const p = page();
    const clock = new Clock(p.env);
    clock.hold();
    p.second();
    p.setHidden(true);
    p.second();
    p.second();
    expect(clock.now).toBe(1_001_000);
    p.time += 400;
    p.setHidden(false);
    expect(clock.now).toBe(1_003_400);
  });

  it('starts from the current time when a reader comes after a pause', () => {
    const p = page();
    const clock = new Clock(p.env);
    clock.hold()();
    p.time += 60_000;
    clock.hold();
    expect(clock.now).toBe(1_060_000);
  });
});

describe('Clock.sync', () => {
  it('takes the time of each poll tick and keeps its own timer quiet while ticks come, then runs alone again', () => {
    const p = page();
    const clock = new Clock(p.env);
    const release = clock.hold();
    let changes = 0;
    let last = clock.now;
    const seen = () => {
      if (clock.now !== last) changes++;
      last = clock.now;
    };
    // Ticks arrive 300 ms after each timer second: the timer would move the time, then the tick again.
    for (let k = 0; k < 5; k++) {
      p.second();
      seen();
      p.time += 300;
      clock.sync();
      seen();
      p.time -= 300;
    }
    // The first timer second moved it; after that only the ticks do, one change a second.
    expect(changes).toBe(6);
    expect(clock.now).toBe(p.time + 300);
    // The ticks stop (the server went quiet): within two seconds the timer moves the clock again.
    p.second();
    p.second();
    expect(clock.now).toBe(p.time);
    release();
  });

  it('does nothing while the tab is hidden or nothing reads the clock', () => {
    const p = page();
    const clock = new Clock(p.env);
    const start = p.time;
    p.time += 5000;
    clock.sync();
    const release = clock.hold();
    expect(clock.now).toBe(p.time);
    p.setHidden(true);
    p.time += 5000;
    clock.sync();
    expect(clock.now).toBe(start + 5000);
    release();
  });
});
