import type { ExporterSnapshot } from '../host-snapshot';

/**
 * The simulated exporter's host and GPU: the GPU warms up from room temperature towards a steady
 * temperature while the llama-server keeps it busy, its power and fan following its load.
 */

const GIB = 1024 ** 3;
/** Time constant of the warm-up (ms): about 63 % of the way after this long. */
export const WARM_TAU_MS = 90_000;
export const ROOM_C = 32;
export const HOT_C = 71;


/** The exporter snapshot at `now`, the simulation having started at `bornAt`; `load` is the share of busy slots, 0..1. */
export function exporterSnapshot(bornAt: number, now: number, load: number): ExporterSnapshot {
  const warm = 1 - Math.exp(-Math.max(0, now - bornAt) / WARM_TAU_MS);
  const tempC = Math.round((ROOM_C + (HOT_C - ROOM_C) * warm * (0.85 + 0.15 * load)) * 10) / 10;
  const util = Math.round(load * 92 + (load > 0 ? 5 : 0));
  const wave = Math.sin(now / 20_000);
  return {
    version: 1,
    ts: now,
    hostname: 'simulated-host',
    platform: 'linux',
    exporterVersion: 'simulated',
    intervalMs: 1000,
    host: {
      cpuUtilPct: Math.round((14 + 30 * load + 4 * wave) * 10) / 10,
      cpuCount: 16,
      memTotalBytes: 64 * GIB,
      memAvailableBytes: Math.round((64 - 18 - 2 * wave) * GIB),
      memUsedBytes: Math.round((18 + 2 * wave) * GIB),
      memSource: 'meminfo',
      load1: Math.round((1.2 + 3 * load) * 100) / 100,
      load5: 1.4,
      load15: 1.1,
      uptimeS: Math.floor((now - bornAt) / 1000) + 86_400,
      bootTimeS: Math.floor(bornAt / 1000) - 86_400,
      disks: [{ path: '/', totalBytes: 1000 * GIB, availBytes: 612 * GIB, freeBytes: 640 * GIB, usedBytes: 360 * GIB, error: null }],
    },
    gpus: [{
      id: '0', index: 0, uuid: 'GPU-simulated-0', name: 'Simulated GPU 24 GB', vendor: 'nvidia', busId: '00000000:01:00.0',
      utilPct: util, memUtilPct: Math.round(util * 0.6), memUsedBytes: Math.round(6.2 * GIB), memTotalBytes: 24 * GIB,
      tempC, powerW: Math.round(38 + 240 * load * (0.7 + 0.3 * warm)), powerLimitW: 350,
      fanPct: Math.round(30 + 45 * Math.max(0, (tempC - 45) / (HOT_C - 45))), migMode: false, migDevices: [],
    }],
    sources: [{ name: 'nvidia-smi', state: 'ok', message: null, restarts: 0 }],
  };
}
