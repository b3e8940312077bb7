/**
 * One GPU's reading, whatever the vendor. Every measured field is `null` when the tool
 * reports it missing or does not offer it: a dashboard must never show a missing value as 0.
 */
export interface GpuSample {
  /** Position as the vendor tool numbers it (nvidia-smi index, DRM card number, ioreg order). */
  index: number;
  /** Stable identity when the tool has one (NVIDIA UUID, AMD unique id / PCI address); else "". */
  uuid: string;
  name: string;
  vendor: GpuVendor;
  /** PCI address when known, e.g. "00000000:01:00.0"; "" otherwise. */
  busId: string;
  /** Busy percent, 0..100. */
  utilPct: number | null;
  /** Memory controller busy percent, 0..100 (NVIDIA utilization.memory, AMD mem_busy_percent). */
  memUtilPct: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
  tempC: number | null;
  powerW: number | null;
  powerLimitW: number | null;
  /** Fan speed percent, 0..100; null on passively cooled boards. */
  fanPct: number | null;
  /** true when NVIDIA MIG mode is on: utilisation is then only known per MIG device, not here. */
  migMode: boolean | null;
  /** MIG devices carved from this GPU (from `nvidia-smi -L`); empty when none. */
  migDevices: MigDevice[];
}

export type GpuVendor = 'nvidia' | 'amd' | 'apple' | 'intel';

export interface MigDevice {
  /** Index within the parent GPU. */
  index: number;
  uuid: string;
  /** Profile name such as "3g.40gb". */
  profile: string;
}

/**
 * Turns one value cell into a number, or null for every spelling of "missing" the vendor
 * tools use: `[N/A]`, `N/A`, `[Not Supported]`, `[Requested functionality has been deprecated]`,
 * `[Insufficient Permissions]`, `[Unknown Error]`, empty. A trailing unit (`38 %`, `214 MiB`,
 * `39.32 W`, `765 MHz`) is dropped; the caller scales.
 */
export function parseMeasure(raw: string | undefined | null): number | null {
  if (raw == null) return null;
  const text = raw.replace(/\0/g, '').trim();
  if (text === '' || text.startsWith('[') || /^n\/?a$/i.test(text)) return null;
  const m = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z%]*)$/.exec(text);
  if (!m) return null;
  const value = Number(m[1]);
  return Number.isFinite(value) ? value : null;
}

/** An empty sample with every measure unknown, for parsers to fill in. */
export function blankGpu(vendor: GpuVendor, index: number): GpuSample {
  return {
    index, uuid: '', name: '', vendor, busId: '',
    utilPct: null, memUtilPct: null, memUsedBytes: null, memTotalBytes: null,
    tempC: null, powerW: null, powerLimitW: null, fanPct: null,
    migMode: null, migDevices: [],
  };
}

/** Multiplies when known; keeps null as null. */
export function scaled(value: number | null, factor: number): number | null {
  return value === null ? null : value * factor;
}

/** Keeps a percentage only when it is one (tools sometimes print 255 or -1 as "unknown"). */
export function percentOrNull(value: number | null): number | null {
  return value !== null && value >= 0 && value <= 100 ? value : null;
}
