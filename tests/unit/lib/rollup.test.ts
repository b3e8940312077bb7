import { expect, test } from 'vitest';
import { bucketStart, rollupBucket } from '../../../src/lib/rollup';

test('raw rows: min, max, mean and last value per key, skipping missing ones', () => {
  const rows = [
    { vals: [1, NaN], map: [0, 1], n: 1 },
    { vals: [7, 2], map: [0, 1], n: 1 },
    { vals: [4, NaN], map: [0, 1], n: 1 },
    { vals: [10], map: [-1, 0], n: 1 },
  ];
  expect(Array.from(rollupBucket(rows, 2, false))).toEqual([1, 7, 4, 4, 2, 10, 6, 10]);
  expect(Array.from(rollupBucket([], 1, false)).every(Number.isNaN)).toBe(true);
});

test('rollup rows: envelope of min/max, average weighted by sample count', () => {
  const rows = [
    { vals: [0, 10, 2, 3], map: [0], n: 60 },
    { vals: [1, 4, 4, 4], map: [0], n: 20 },
  ];
  expect(Array.from(rollupBucket(rows, 1, true))).toEqual([0, 10, 2.5, 4]);
});

test('bucket starts', () => {
  expect(bucketStart(119_999, 60_000)).toBe(60_000);
  expect(bucketStart(120_000, 60_000)).toBe(120_000);
});
