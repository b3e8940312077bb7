import { describe, expect, it } from 'vitest';
import { filledDetail, filledSpan, planGaps, subtract } from '../../../src/lib/gap-plan';
import { coversEndpoint } from '../../../src/lib/exporter-llama';

describe('planGaps', () => {
  const window = { from: 1000, to: 20_000 };
  it('finds silences longer than the gap threshold, at the edges too, less what was filled', () => {
    const covered = [1000, 2000, 3000, 10_000, 11_000];
    expect(planGaps({ covered, filled: [], window, minGapMs: 3000 })).toEqual([{ from: 3001, to: 9999 }, { from: 11_001, to: 20_000 }]);
    expect(planGaps({ covered, filled: [{ from: 3001, to: 9999 }], window, minGapMs: 3000 })).toEqual([{ from: 11_001, to: 20_000 }]);
    expect(planGaps({ covered: [], filled: [], window, minGapMs: 3000 })).toEqual([window]);
    expect(planGaps({ covered: [1000, 3000, 5000], filled: [], window: { from: 1000, to: 6000 }, minGapMs: 3000 })).toEqual([]);
  });

  it('subtracts spans and reads back the marker it writes', () => {
    expect(subtract([{ from: 0, to: 100 }], [{ from: 10, to: 20 }, { from: 90, to: 200 }])).toEqual([{ from: 0, to: 9 }, { from: 21, to: 89 }]);
    expect(filledSpan(5, filledDetail({ from: 5, to: 99 }, 'box:8642'))).toEqual({ from: 5, to: 99, source: 'box:8642' });
    expect(filledSpan(5, 'something else')).toBeNull();
  });
});

describe('coversEndpoint', () => {
  const llama = { id: 3, kind: 'llama' as const, url: 'http://gpu-box:8080' };
  it('matches the same address, or the address a hand-made link names for this exporter only', () => {
    expect(coversEndpoint(7, { url: 'http://gpu-box:8080' }, llama, null)).toBe(true);
    expect(coversEndpoint(7, { url: 'http://127.0.0.1:8080' }, llama, null)).toBe(false);
    expect(coversEndpoint(7, { url: 'http://127.0.0.1:8080' }, llama, { exporterId: 7, url: 'http://127.0.0.1:8080' })).toBe(true);
    expect(coversEndpoint(8, { url: 'http://127.0.0.1:8080' }, llama, { exporterId: 7, url: 'http://127.0.0.1:8080' })).toBe(false);
    expect(coversEndpoint(7, { url: 'http://gpu-box:8080' }, { ...llama, kind: 'exporter' }, null)).toBe(false);
  });
});
