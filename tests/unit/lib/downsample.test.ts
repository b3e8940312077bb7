import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { downsampleMinMax, gapThreshold } from '../../../src/lib/downsample';

const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('downsampleMinMax', () => {
  test('passes through at or under the requested points', () => {
    const ts = series(5, (i) => i * 1000);
    expect(downsampleMinMax(ts, [[1, NaN, 3, 4, 5]], 0, 4000, 5)).toEqual({ ts, values: [[1, null, 3, 4, 5]] });
  });

  test('keeps every bucket extreme, in time order, within the points asked', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 3000 }),
      fc.integer({ min: 4, max: 400 }),
      (vals, points) => {
        const ts = vals.map((_, i) => i * 1000);
        const out = downsampleMinMax(ts, [vals], 0, ts.at(-1)!, points);
        const got = out.values[0] as number[];
        expect(out.ts.length).toBeLessThanOrEqual(points);
        expect(Math.max(...got)).toBe(Math.max(...vals));
        expect(Math.min(...got)).toBe(Math.min(...vals));
        for (let i = 1; i < out.ts.length; i++) expect(out.ts[i]).toBeGreaterThanOrEqual(out.ts[i - 1]);
      },
    ));
  });

  test('a bucket keeps its minimum and maximum in the order they happened', () => {
    const ts = series(8, (i) => i * 1000);
    const out = downsampleMinMax(ts, [[5, 9, 5, 5, 5, 5, 1, 5], [NaN, NaN, NaN, NaN, 3, NaN, NaN, NaN]], 0, 7000, 4);
    expect(out.ts).toEqual([0, 3000, 4000, 7000]);
    expect(out.values).toEqual([[5, 9, 5, 1], [null, null, 3, 3]]);
  });

  test('all-missing buckets stay null; long pauses become a null row', () => {
    const ts = [0, 1000, 2000, 3000, 60_000, 61_000];
    const out = downsampleMinMax(ts, [[1, 2, 3, 4, 5, 6], ts.map(() => NaN)], 0, 61_000, 100);
    expect(out.ts).toEqual([0, 1000, 2000, 3000, 31_500, 60_000, 61_000]);
    expect(out.values[0]).toEqual([1, 2, 3, 4, null, 5, 6]);
    expect(out.values[1].every((v) => v === null)).toBe(true);
    expect(gapThreshold([0, 1000, 2000, 3000])).toBe(6000);
    expect(gapThreshold([0])).toBe(Infinity);
  });
});
