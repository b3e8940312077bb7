import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION_SETTINGS, RETENTION_BOUNDS, retentionCost, sanitizeRetention } from '../../../src/lib/retention-cost';

describe('retention settings', () => {
  it('keep what is valid, clamp what is out of bounds, and default what is missing or not a number', () => {
    expect(sanitizeRetention(null)).toEqual(DEFAULT_RETENTION_SETTINGS);
    expect(sanitizeRetention({ rawMs: 1, minuteMs: 'x', hourMs: Infinity, maxBytes: 5 })).toEqual({
      rawMs: RETENTION_BOUNDS.rawMs[0], minuteMs: DEFAULT_RETENTION_SETTINGS.minuteMs,
      hourMs: DEFAULT_RETENTION_SETTINGS.hourMs, maxBytes: RETENTION_BOUNDS.maxBytes[0],
    });
    expect(sanitizeRetention({ rawMs: 6 * 3600_000, maxBytes: 0 })).toMatchObject({ rawMs: 6 * 3600_000, maxBytes: null });
  });

  it('cost scales with series, interval and window, from the benchmark bytes per sample', () => {
    const day = { ...DEFAULT_RETENTION_SETTINGS, rawMs: 86400_000 };
    const one = retentionCost(day, { series: 40, intervalMs: 1000 });
    // 86,400 ticks x 40 series x 10.15 B.
    expect(one.raw).toBeCloseTo(86_400 * 40 * 10.15, 0);
    expect(one.rawPerDay).toBeCloseTo(one.raw, 6);
    expect(retentionCost(day, { series: 40, intervalMs: 2000 }).raw).toBeCloseTo(one.raw / 2, 3);
    expect(retentionCost(day, { series: 80, intervalMs: 1000 }).minute).toBeGreaterThan(one.minute * 1.5);
    expect(one.total).toBeCloseTo(one.raw + one.minute + one.hour, 6);
  });
});
