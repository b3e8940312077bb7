import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpuBusyPercent, type CpuTimes } from '../../../src/lib/host-cpu';
import { parseMeminfo } from '../../../src/lib/host-meminfo';

const t = (user: number, sys: number, idle: number): CpuTimes => ({ user, nice: 0, sys, idle, irq: 0 });

describe('cpuBusyPercent', () => {
  it('is the non-idle share of the summed deltas', () => {
    expect(cpuBusyPercent([t(100, 100, 800), t(0, 0, 1000)], [t(250, 150, 900), t(100, 0, 1100)])).toBeCloseTo(60);
  });

  it('is unknown without an earlier reading, when CPUs change, or when time stands still', () => {
    expect(cpuBusyPercent(null, [t(1, 1, 1)])).toBeNull();
    expect(cpuBusyPercent([t(1, 1, 1)], [t(2, 2, 2), t(2, 2, 2)])).toBeNull();
    expect(cpuBusyPercent([t(1, 1, 1)], [t(1, 1, 1)])).toBeNull();
    expect(cpuBusyPercent([t(5, 5, 5)], [t(6, 6, 1)])).toBeNull();
  });

  it('stays within 0..100 for any forward-moving counters', () => {
    const times = fc.record({ user: fc.nat(1e6), nice: fc.nat(1e6), sys: fc.nat(1e6), idle: fc.nat(1e6), irq: fc.nat(1e6) });
    fc.assert(fc.property(times, times, (a, d) => {
      const b = { user: a.user + d.user, nice: a.nice + d.nice, sys: a.sys + d.sys, idle: a.idle + d.idle, irq: a.irq + d.irq };
      const p = cpuBusyPercent([a], [b]);
      if (p !== null) expect(p >= 0 && p <= 100).toBe(true);
    }));
  });
});

describe('parseMeminfo', () => {
  const sample = (name: string) => readFileSync(new URL(`../../fixtures/gpu-samples/${name}`, import.meta.url), 'utf8');

  it('reads MemTotal and MemAvailable in bytes', () => {
    expect(parseMeminfo(sample('meminfo.txt'))).toEqual({ totalBytes: 32768000 * 1024, availableBytes: 20480000 * 1024 });
  });

  it('leaves MemAvailable unknown on kernels without it instead of using MemFree', () => {
    expect(parseMeminfo(sample('meminfo-old-kernel.txt'))).toEqual({ totalBytes: 4046772 * 1024, availableBytes: null });
  });
});
