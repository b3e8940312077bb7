import { describe, expect, it } from 'vitest';
import {
  MISSING, formatAgo, formatAxisValue, formatCompact, formatBytes, formatDuration, formatNumber, formatRatio, formatTokensPerSecond,
  formatValue, fromDatetimeLocal, toDatetimeLocal, unitLabel,
} from '../../../src/lib/format';

describe('formatNumber', () => {
  it('keeps about three significant digits', () => {
    expect(formatNumber(0.12345)).toBe('0.123');
    expect(formatNumber(1.2345)).toBe('1.23');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(123.45)).toBe('123');
    expect(formatNumber(12345.6)).toBe('12,346');
  });
  it('shows missing values as a dash, never as 0', () => {
    expect(formatNumber(null)).toBe(MISSING);
    expect(formatNumber(undefined)).toBe(MISSING);
    expect(formatNumber(NaN)).toBe(MISSING);
    expect(formatNumber(0)).toBe('0');
  });
  it('handles infinities and negative zero', () => {
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(-Infinity)).toBe('−∞');
    expect(formatNumber(-0.0001)).toBe('0');
  });
});

describe('units', () => {
  it('formats rates, ratios and bytes', () => {
    expect(formatTokensPerSecond(42.51)).toBe('42.5 tok/s');
    expect(formatRatio(0.5)).toBe('50 %');
    expect(formatRatio(0.0425)).toBe('4.25 %');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8 GiB');
    expect(formatBytes(-2048)).toBe('−2 KiB');
  });
  it('formats by unit name and leaves missing values as a dash', () => {
    expect(formatValue(3, 'count')).toBe('3');
    expect(formatValue(12.5, 'tok/s')).toBe('12.5 tok/s');
    expect(formatValue(0.25, 'ratio')).toBe('25 %');
    expect(formatValue(75, 'percent')).toBe('75 %');
    expect(formatValue(2.5, 'per-min')).toBe('2.5 /min');
    expect(formatValue(250, 'watts')).toBe('250 W');
    expect(formatValue(71, 'celsius')).toBe('71 °C');
    expect(formatValue(90, 'seconds')).toBe('1 min 30 s');
    expect(formatValue(null, 'tok/s')).toBe(MISSING);
    expect(unitLabel('tok/s')).toBe('tok/s');
    expect(unitLabel('ratio')).toBe('%');
    expect(unitLabel('count')).toBe('');
  });
});

describe('formatDuration', () => {
  it('shows the two largest units that matter', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(0.25)).toBe('250 ms');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86400 + 4 * 3600 + 59)).toBe('3 d 4 h');
    expect(formatDuration(86400 + 30)).toBe('1 d');
    expect(formatDuration(-61)).toBe('−1 min 1 s');
  });
  it('says how long ago, tolerating small clock skew', () => {
    const now = 1_700_000_000_000;
    expect(formatAgo(now - 500, now)).toBe('just now');
    expect(formatAgo(now + 200, now)).toBe('just now');
    expect(formatAgo(now - 5_000, now)).toBe('5 s ago');
    expect(formatAgo(now - 180_000, now)).toBe('3 min ago');
    expect(formatAgo(null, now)).toBe('never');
  });
});

describe('datetime-local round trip', () => {
  it('gives back the same minute', () => {
    const ms = new Date(2026, 10, 26, 8, 5).getTime();
    expect(toDatetimeLocal(ms)).toBe('2026-11-26T08:05');
    expect(fromDatetimeLocal(toDatetimeLocal(ms))).toBe(ms);
    expect(fromDatetimeLocal('')).toBeNull();
    expect(fromDatetimeLocal('not a date')).toBeNull();
  });
});

describe('axis ticks', () => {
  it('stay short so they fit beside the plot', () => {
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(1234)).toBe('1.23k');
    expect(formatCompact(2500)).toBe('2.5k');
    expect(formatCompact(3_400_000)).toBe('3.4M');
    expect(formatCompact(-1500)).toBe('-1.5k');
    expect(formatAxisValue(2000, 'tok/s')).toBe('2k');
    expect(formatAxisValue(0.5, 'ratio')).toBe('50 %');
    expect(formatAxisValue(2048, 'bytes')).toBe('2 KiB');
    expect(formatAxisValue(120, 'seconds')).toBe('2 min');
    expect(formatAxisValue(null, 'count')).toBe('');
  });
});
