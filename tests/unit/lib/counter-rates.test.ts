import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { counterDelta, counterRatio, detectReset, perMinute, perSecond } from '../../../src/lib/counter-rates';

const r = (ts: number, values: Record<string, number>) => ({ ts, values });

describe('counter rates', () => {
  it('gives the increase per second between two readings', () => {
    expect(perSecond(r(0, { t: 100 }), r(2000, { t: 160 }), 't')).toBe(30);
  });

  it('a counter that goes down is a restart: no rate, never negative', () => {
    expect(counterDelta(500, 20)).toEqual({ delta: null, reset: true });
    expect(perSecond(r(0, { t: 500 }), r(1000, { t: 20 }), 't')).toBeNull();
    expect(detectReset(r(0, { a: 5, b: 9 }), r(1000, { a: 6, b: 1 }), ['a', 'b'])).toBe(true);
    expect(detectReset(r(0, { a: 5, b: 9 }), r(1000, { a: 6, b: 9 }), ['a', 'b'])).toBe(false);
  });

  it('a gauge going down is not a restart (only the listed counters count)', () => {
    expect(detectReset(r(0, { a: 5, g: 3 }), r(1000, { a: 5, g: 0 }), ['a'])).toBe(false);
  });

  it('tokens per second of processing time from two counters; unknown when nothing was processed', () => {
    const prev = r(0, { tok: 100, sec: 1 });
    expect(counterRatio(prev, r(1000, { tok: 400, sec: 1.5 }), 'tok', 'sec')).toBe(600);
    expect(counterRatio(prev, r(1000, { tok: 100, sec: 1 }), 'tok', 'sec')).toBeNull();
    expect(counterRatio(prev, r(1000, { tok: 10, sec: 0.1 }), 'tok', 'sec')).toBeNull();
  });

  it('never yields a negative or infinite rate over any sequence of readings', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5000), fc.nat(1e6), fc.double({ min: 0, max: 1e4, noNaN: true })), { minLength: 2 }), (steps) => {
        let ts = 0;
        let prev = null as ReturnType<typeof r> | null;
        for (const [dt, tok, sec] of steps) {
          ts += dt;
          const cur = r(ts, { tok, sec });
          const a = perSecond(prev, cur, 'tok');
          const b = counterRatio(prev, cur, 'tok', 'sec');
          for (const v of [a, b]) if (v !== null) expect(v >= 0 && Number.isFinite(v)).toBe(true);
          prev = cur;
        }
      }),
    );
  });

  it('counts events per minute over a sliding window', () => {
    const entries = [
      { ts: 1_000, count: 1 },
      { ts: 30_000, count: 2 },
      { ts: 65_000, count: 1 },
    ];
    const { entries: kept, rate } = perMinute(entries, 70_000, 60_000, 0);
    expect(kept.map((e) => e.ts)).toEqual([30_000, 65_000]);
    expect(rate).toBe(3);
  });

  it('scales a partly observed window up to a minute instead of ramping slowly', () => {
    expect(perMinute([{ ts: 10_000, count: 2 }], 20_000, 60_000, 0).rate).toBe(6);
  });
});
