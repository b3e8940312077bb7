import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { downsampleMinMax, gapThreshold } from '../../../src/lib/downsample.ts';

const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('downsampleMinMax', () => {
  test('passes through at or under the requested points', () => {
    const ts = series(5, (i) => i * 1000);
    expect(downsampleMinMax(ts, [{ val: [1, NaN, 3, 4, 5] }], 0, 4000, 5)).toEqual({ ts, values: [[1, null, 3, 4, 5]] });
  });

  test('keeps every bucket extreme, in time order, within the points asked', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 3000 }),
      fc.integer({ min: 4, max: 400 }),
      (vals, points) => {
        const ts = vals.map((_, i) => i * 1000);
        const out = downsampleMinMax(ts, [{ val: vals }], 0, ts.at(-1)!, points);
        const got = out.values[0] as number[];
        expect(out.ts.length).toBeLessThanOrEqual(points);
        expect(Math.max(...got)).toBe(Math.max(...vals));
        expect(Math.min(...got)).toBe(Math.min(...vals));
        for (let i = 1; i < out.ts.length; i++) expect(out.ts[i]).toBeGreaterThanOrEqual(out.ts[i - 1]);
      },
    ));
  });

  test('uses rollup min/max for the envelope and avg when not reducing', () => {
    const ts = series(4, (i) => i * 60_000);
    const col = { val: [5, 5, 5, 5], lo: [1, 4, 4, 4], hi: [6, 6, 90, 6] };
    expect(downsampleMinMax(ts, [col], 0, 180_000, 10).values[0]).toEqual([5, 5, 5, 5]);
    const reduced = downsampleMinMax(ts, [col], 0, 180_000, 2);
    expect(reduced.values[0]).toEqual([1, 90]);
    expect(reduced.ts).toEqual([0, 180_000]);
  });

  test('all-missing buckets stay null; long pauses become a null row', () => {
    const ts = [0, 1000, 2000, 3000, 60_000, 61_000];
    const out = downsampleMinMax(ts, [{ val: [1, 2, 3, 4, 5, 6] }, { val: ts.map(() => NaN) }], 0, 61_000, 100);
    expect(out.ts).toEqual([0, 1000, 2000, 3000, 31_500, 60_000, 61_000]);
    expect(out.values[0]).toEqual([1, 2, 3, 4, null, 5, 6]);
    expect(out.values[1].every((v) => v === null)).toBe(true);
    expect(gapThreshold([0, 1000, 2000, 3000])).toBe(6000);
    expect(gapThreshold([0])).toBe(Infinity);
  });
});
