import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { cpuBusyPercent, type CpuTimes } from '../src/lib/host-cpu';
import { parseMeminfo } from '../src/lib/host-meminfo';
import type { DiskSample, HostSample } from '../src/lib/host-snapshot';

/** Host statistics; keeps the previous os.cpus() reading to turn counters into a busy percent. */
export class HostReader {
  readonly #disks: string[];
  #prevCpu: CpuTimes[] | null = null;
  /** Last os.cpus() times, for node_cpu_seconds_total. */
  cpuTimes: CpuTimes[] = [];

  constructor(diskPaths: string[]) {
    this.#disks = diskPaths;
  }

  async read(now: number): Promise<HostSample> {
    const cpus = os.cpus().map((c) => ({ ...c.times }));
    const cpuUtilPct = cpuBusyPercent(this.#prevCpu, cpus);
    this.#prevCpu = cpus;
    this.cpuTimes = cpus;
    const mem = await readMemory();
    const uptimeS = os.uptime();
    const [l1, l5, l15] = os.loadavg();
    // Windows has no load average; os.loadavg() returns zeros there, which would read as "idle".
    const hasLoad = process.platform !== 'win32';
    return {
      cpuUtilPct,
      cpuCount: cpus.length,
      ...mem,
      memUsedBytes: mem.memTotalBytes !== null && mem.memAvailableBytes !== null ? mem.memTotalBytes - mem.memAvailableBytes : null,
      load1: hasLoad ? l1 : null,
      load5: hasLoad ? l5 : null,
      load15: hasLoad ? l15 : null,
      uptimeS,
      bootTimeS: Math.round(now / 1000 - uptimeS),
      disks: await Promise.all(this.#disks.map(readDisk)),
    };
  }
}

async function readMemory(): Promise<Pick<HostSample, 'memTotalBytes' | 'memAvailableBytes' | 'memSource'>> {
  if (process.platform === 'linux') {
    try {
      const m = parseMeminfo(await readFile('/proc/meminfo', 'utf8'));
      return { memTotalBytes: m.totalBytes, memAvailableBytes: m.availableBytes, memSource: 'meminfo' };
    } catch {
      // Fall through: some sandboxes hide /proc; os.freemem() is then the best we have.
    }
  }
  return { memTotalBytes: os.totalmem(), memAvailableBytes: os.freemem(), memSource: 'os.freemem' };
}

async function readDisk(path: string): Promise<DiskSample> {
  try {
    const s = await statfs(path);
    const total = s.blocks * s.bsize;
    const free = s.bfree * s.bsize;
    return { path, totalBytes: total, availBytes: s.bavail * s.bsize, freeBytes: free, usedBytes: total - free, error: null };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { path, totalBytes: null, availBytes: null, freeBytes: null, usedBytes: null, error: err.message };
  }
}
