import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { historyTransfer, packHistory, unpackHistory } from '../../../src/lib/history-wire';
import type { HistoryResult } from '../../../src/lib/types';

const answer = fc.integer({ min: 0, max: 50 }).chain((n) => fc.record({
  ts: fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }),
  values: fc.dictionary(fc.string(), fc.array(fc.option(fc.double({ noNaN: true }), { nil: null }), { minLength: n, maxLength: n }), { maxKeys: 5 }),
  tier: fc.constantFrom<HistoryResult['tier']>('raw', '1m', '1h'),
}));

describe('chart answers packed for the page', () => {
  it('come back exactly as sent: times, every column, missing values as null, the tier', () => {
    fc.assert(fc.property(answer, (r) => {
      expect(unpackHistory(packHistory(r))).toEqual(r);
    }));
  });

  it('pack into one buffer of their own, which is what moves', () => {
    const r: HistoryResult = { ts: [1, 2], values: { a: [3, null], b: [null, 4] }, tier: 'raw' };
    const [packed, transfer] = historyTransfer.serialize(r);
    expect(transfer).toEqual([packed.data.buffer]);
    expect(packed.data).toHaveLength(6);
    expect(historyTransfer.deserialize(packed)).toEqual(r);
  });

  it('are told apart from other answers and from queries', () => {
    expect(historyTransfer.canHandle({ ts: [], values: {}, tier: '1m' })).toBe(true);
    expect(historyTransfer.canHandle({ endpointId: 1, keys: ['a'], from: 0, to: 1, points: 10 })).toBe(false);
    expect(historyTransfer.canHandle([{ ts: 1, values: {} }])).toBe(false);
    expect(historyTransfer.canHandle(null)).toBe(false);
  });

  it('refuse a column that does not line up with the times, in words', () => {
    expect(() => packHistory({ ts: [1, 2], values: { a: [1] }, tier: 'raw' })).toThrow(/"a" has 1 values for 2 times/);
  });
});
