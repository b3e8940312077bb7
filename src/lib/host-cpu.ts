/** CPU time counters of one logical CPU in milliseconds, as os.cpus()[i].times gives them. */
export interface CpuTimes {
  user: number;
  nice: number;
  sys: number;
  idle: number;
  irq: number;
}

/**
 * Busy percent (0..100) of the whole machine between two os.cpus() readings: the share of
 * non-idle time in the summed deltas. Null when it cannot be known (first reading, CPUs
 * hot-plugged in between, or no time elapsed).
 */
export function cpuBusyPercent(prev: readonly CpuTimes[] | null, next: readonly CpuTimes[]): number | null {
  if (!prev || prev.length !== next.length || next.length === 0) return null;
  let total = 0;
  let idle = 0;
  for (let i = 0; i < next.length; i++) {
    const a = prev[i];
    const b = next[i];
    const dIdle = b.idle - a.idle;
    const dTotal = b.user - a.user + (b.nice - a.nice) + (b.sys - a.sys) + (b.irq - a.irq) + dIdle;
    // A counter going backwards means the reading is not comparable (e.g. a CPU went offline).
    if (dTotal < 0 || dIdle < 0) return null;
    total += dTotal;
    idle += dIdle;
  }
  if (total <= 0) return null;
  return Math.min(100, Math.max(0, (1 - idle / total) * 100));
}
