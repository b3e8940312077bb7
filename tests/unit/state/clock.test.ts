import { describe, expect, it } from 'vitest';
import { Clock, type ClockEnv } from '../../../src/state/clock.svelte';

/** A page whose time, timers and visibility the test moves by hand. */
function page() {
  const timers = new Map<number, { fn: () => void; due: number }>();
  const listeners = new Set<() => void>();
  const at = { time: 1_000_000, hidden: false, fired: 0 };
  let next = 0;
  const env: ClockEnv = {
    now: () => at.time,
    setTimeout: (fn, ms) => {
      timers.set(++next, { fn, due: at.time + ms });
      return next;
    },
    clearTimeout: (t) => timers.delete(t as number),
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
    /** Timers that ran their function (each one a wake-up of the page). */
    get fired() {
      return at.fired;
    },
    /** Lets `ms` of wall time pass, running each timer when it is due. */
    pass(ms: number) {
      const end = at.time + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.due <= end).sort((a, b) => a[1].due - b[1].due)[0];
        if (!due) break;
        timers.delete(due[0]);
        at.time = due[1].due;
        at.fired++;
        due[1].fn();
      }
      at.time = end;
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
    p.pass(1000);
    expect(clock.now).toBe(1_001_000);
    p.pass(1000);
    expect(clock.now).toBe(1_002_000);
    expect(p.timers.size).toBe(1);
    releases[0]();
    releases[0]();
    releases[1]();
    expect(p.timers.size).toBe(1);
    releases[2]();
    expect(p.timers.size).toBe(0);
    expect(p.listeners.size).toBe(0);
  });

  it('has no timer while the tab is hidden and shows the current time at once when it is shown again', () => {
    const p = page();
    const clock = new Clock(p.env);
    clock.hold();
    p.pass(1000);
    p.setHidden(true);
    expect(p.timers.size).toBe(0);
    const fired = p.fired;
    p.pass(5000);
    expect(p.fired).toBe(fired);
    expect(clock.now).toBe(1_001_000);
    p.time += 400;
    p.setHidden(false);
    expect(clock.now).toBe(1_006_400);
    p.pass(1000);
    expect(clock.now).toBe(1_007_400);
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
  it('takes the time of each poll tick, and its own timer never fires while ticks come, then runs alone again', () => {
    const p = page();
    const clock = new Clock(p.env);
    const release = clock.hold();
    let changes = 0;
    let last = clock.now;
    const seen = () => {
      if (clock.now !== last) changes++;
      last = clock.now;
    };
    // Ticks arrive 300 ms into each second, a little late now and then.
    p.pass(300);
    for (let k = 0; k < 10; k++) {
      clock.sync();
      seen();
      p.pass(k % 3 === 0 ? 1040 : 1000);
    }
    // One change a tick, and the timer woke the page only before the first tick.
    expect(changes).toBe(10);
    expect(p.fired).toBe(0);
    // The ticks stop (the server went quiet): within two seconds the timer moves the clock again.
    const t = p.time;
    p.pass(2000);
    expect(clock.now).toBeGreaterThan(t);
    expect(p.fired).toBeGreaterThan(0);
    release();
    expect(p.timers.size).toBe(0);
  });

  it('does nothing while the tab is hidden or nothing reads the clock', () => {
    const p = page();
    const clock = new Clock(p.env);
    const start = p.time;
    p.time += 5000;
    clock.sync();
    expect(p.timers.size).toBe(0);
    const release = clock.hold();
    expect(clock.now).toBe(p.time);
    p.setHidden(true);
    p.time += 5000;
    clock.sync();
    expect(clock.now).toBe(start + 5000);
    expect(p.timers.size).toBe(0);
    release();
  });
});
