import type { WatchedServer } from './exporter-llama';
import type { GpuSample } from './gpu-sample';
import { seriesKey } from './series-keys';

/** The exporter's default port: outside 9100-9999 (Prometheus exporters) and away from llama-server's 8080. */
export const DEFAULT_EXPORTER_PORT = 8642;

/**
 * The JSON the exporter serves at /api/v1/snapshot and the dashboard reads. Versioned so a
 * dashboard can refuse an exporter it does not understand instead of charting garbage.
 */
export interface ExporterSnapshot {
  version: 1;
  /** When the sample was taken, ms since epoch (exporter clock). */
  ts: number;
  hostname: string;
  /** process.platform of the exporter host. */
  platform: string;
  exporterVersion: string;
  intervalMs: number;
  host: HostSample;
  gpus: SnapshotGpu[];
  /** How each GPU source is doing; an absent tool is a normal state ("absent"), not an error. */
  sources: GpuSourceStatus[];
  /** The llama-servers this exporter watches (`--llama`); absent from exporters before 0.x that had none. */
  llama?: WatchedServer[];
}

/** A GPU with the label value the series keys use (`gpu="0"`). */
export interface SnapshotGpu extends GpuSample {
  id: string;
}

export interface HostSample {
  cpuUtilPct: number | null;
  cpuCount: number;
  memTotalBytes: number | null;
  memAvailableBytes: number | null;
  /** total - available. */
  memUsedBytes: number | null;
  /** 'meminfo' = Linux MemAvailable; 'os.freemem' = the OS's free figure (macOS, Windows: best effort). */
  memSource: 'meminfo' | 'os.freemem';
  /** null where the OS has no load average (Windows). */
  load1: number | null;
  load5: number | null;
  load15: number | null;
  uptimeS: number;
  bootTimeS: number;
  disks: DiskSample[];
}

export interface DiskSample {
  path: string;
  totalBytes: number | null;
  /** Free to unprivileged users (df's "Avail"). */
  availBytes: number | null;
  freeBytes: number | null;
  /** total - free, as df counts "Used". */
  usedBytes: number | null;
  /** Why the numbers are null (path missing, permission), in words. */
  error: string | null;
}

export type GpuSourceState = 'ok' | 'starting' | 'restarting' | 'oneshot' | 'absent' | 'error';

export interface GpuSourceStatus {
  /** 'nvidia-smi', 'amd-sysfs', 'rocm-smi', 'amd-smi', 'ioreg'. */
  name: string;
  state: GpuSourceState;
  message: string | null;
  /** Times the long-running process was restarted since the exporter started. */
  restarts: number;
}

/** Columnar ring-buffer contents served at /api/v1/history: ts[i] (ms) aligned with every series. */
export interface ExporterHistory {
  version: 1;
  intervalMs: number;
  ts: number[];
  series: Record<string, (number | null)[]>;
  /** Paged reads (`limit`): more samples follow; ask again with since = next. Absent from older exporters. */
  more?: boolean;
  next?: number | null;
  /** The watched llama-servers, whose series come with `&llama=<url>`. */
  llama?: WatchedServer[];
}

/**
 * Gives each GPU its label value: the tool's index, or vendor+index when two vendors would
 * otherwise both claim "0" on one host.
 */
export function assignGpuIds(gpus: readonly GpuSample[]): SnapshotGpu[] {
  const vendors = new Set(gpus.map((g) => g.vendor));
  return gpus.map((g) => ({ ...g, id: vendors.size > 1 && g.vendor !== 'nvidia' ? `${g.vendor}${g.index}` : String(g.index) }));
}

/**
 * Flattens a snapshot into the dashboard's series keys (one SampleFrame's values):
 * cpu_util (%), mem_used_bytes, mem_total_bytes, load1, disk_used_bytes{path="/"},
 * disk_total_bytes{path="/"}, and per GPU gpu_util{gpu="0"} (%), gpu_mem_util (%),
 * gpu_mem_used_bytes, gpu_mem_total_bytes, gpu_temp_c, gpu_power_w, gpu_power_limit_w, gpu_fan_pct.
 * Missing stays null.
 */
export function snapshotSeries(s: Pick<ExporterSnapshot, 'host' | 'gpus'>): Record<string, number | null> {
  const v: Record<string, number | null> = {
    [HOST_KEYS.cpu]: s.host.cpuUtilPct,
    [HOST_KEYS.memUsed]: s.host.memUsedBytes,
    [HOST_KEYS.memTotal]: s.host.memTotalBytes,
    [HOST_KEYS.load1]: s.host.load1,
  };
  for (const d of s.host.disks) {
    v[diskKey('disk_used_bytes', d.path)] = d.usedBytes;
    v[diskKey('disk_total_bytes', d.path)] = d.totalBytes;
  }
  for (const g of s.gpus) {
    v[gpuKey('gpu_util', g.id)] = g.utilPct;
    v[gpuKey('gpu_mem_util', g.id)] = g.memUtilPct;
    v[gpuKey('gpu_mem_used_bytes', g.id)] = g.memUsedBytes;
    v[gpuKey('gpu_mem_total_bytes', g.id)] = g.memTotalBytes;
    v[gpuKey('gpu_temp_c', g.id)] = g.tempC;
    v[gpuKey('gpu_power_w', g.id)] = g.powerW;
    v[gpuKey('gpu_power_limit_w', g.id)] = g.powerLimitW;
    v[gpuKey('gpu_fan_pct', g.id)] = g.fanPct;
  }
  return v;
}

/** Rows of a history response newer than `since`, ready to become SampleFrames. */
export function historyRows(h: ExporterHistory, since: number): { ts: number; values: Record<string, number | null> }[] {
  const keys = Object.keys(h.series);
  const rows: { ts: number; values: Record<string, number | null> }[] = [];
  for (let i = 0; i < h.ts.length; i++) {
    if (!(h.ts[i] > since)) continue;
    const values: Record<string, number | null> = {};
    for (const k of keys) values[k] = h.series[k][i] ?? null;
    rows.push({ ts: h.ts[i], values });
  }
  return rows;
}

/** Checks the parts of a snapshot the dashboard relies on; returns why it is not one, or null. */
export function snapshotProblem(x: unknown): string | null {
  if (!x || typeof x !== 'object') return 'the reply is not a JSON object';
  const s = x as Partial<ExporterSnapshot>;
  if (s.version !== 1) return `snapshot version ${String(s.version)} is not supported by this dashboard (expected 1)`;
  if (typeof s.ts !== 'number' || !s.host || !Array.isArray(s.gpus)) return 'the snapshot lacks ts, host or gpus';
  return null;
}

/** Series key of one GPU's measure, e.g. `gpu_util{gpu="0"}`. */
export function gpuKey(name: GpuSeries, id: string): string {
  return seriesKey(name, { gpu: id });
}

/** Series key of one watched path's filesystem, e.g. `disk_used_bytes{path="/"}`. */
export function diskKey(name: 'disk_used_bytes' | 'disk_total_bytes', path: string): string {
  return seriesKey(name, { path });
}

export type GpuSeries =
  | 'gpu_util' | 'gpu_mem_util' | 'gpu_mem_used_bytes' | 'gpu_mem_total_bytes'
  | 'gpu_temp_c' | 'gpu_power_w' | 'gpu_power_limit_w' | 'gpu_fan_pct';

/** Every series name snapshotSeries writes (with or without labels): what an exporter's frames may hold. */
export const EXPORTER_SERIES: ReadonlySet<string> = new Set([
  'cpu_util', 'mem_used_bytes', 'mem_total_bytes', 'load1', 'disk_used_bytes', 'disk_total_bytes',
  'gpu_util', 'gpu_mem_util', 'gpu_mem_used_bytes', 'gpu_mem_total_bytes', 'gpu_temp_c', 'gpu_power_w', 'gpu_power_limit_w', 'gpu_fan_pct',
]);

/** Host series keys (no labels). */
export const HOST_KEYS = { cpu: 'cpu_util', memUsed: 'mem_used_bytes', memTotal: 'mem_total_bytes', load1: 'load1' } as const;
