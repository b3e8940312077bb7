import { diskKey, gpuKey, HOST_KEYS } from '../../lib/host-snapshot';
import { parseSeriesKey } from '../../lib/series-keys';
import type { ChartSpec } from '../dashboard/chart-specs';

/** Watched paths and GPU ids present in an exporter's latest values (the keys carry them as labels). */
export function discover(values: Record<string, unknown> | undefined): { disks: string[]; gpus: string[] } {
  const disks = new Set<string>();
  const gpus = new Set<string>();
  for (const key of Object.keys(values ?? {})) {
    const { name, labels } = parseSeriesKey(key);
    if (name === 'disk_total_bytes' && labels.path !== undefined) disks.add(labels.path);
    if (name === 'gpu_mem_total_bytes' && labels.gpu !== undefined) gpus.add(labels.gpu);
  }
  const byNumber = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  return { disks: [...disks].sort(), gpus: [...gpus].sort(byNumber) };
}

/** Host charts: CPU busy, memory used against total, and used space per watched path. */
export function hostCharts(disks: string[]): ChartSpec[] {
  return [
    { id: 'cpu', title: 'CPU busy', unit: 'percent', yRange: [0, 100], series: [{ key: HOST_KEYS.cpu, label: 'CPU' }] },
    { id: 'mem', title: 'Memory', unit: 'bytes', series: [
      { key: HOST_KEYS.memUsed, label: 'Used' }, { key: HOST_KEYS.memTotal, label: 'Total' }] },
    { id: 'disk', title: 'Disk used', unit: 'bytes', series: disks.map((p) => ({ key: diskKey('disk_used_bytes', p), label: p })) },
  ];
}

/** One GPU's charts: utilisation, memory used against total, temperature, power against its limit. */
export function gpuCharts(id: string): ChartSpec[] {
  return [
    { id: `util-${id}`, title: 'Utilisation', unit: 'percent', yRange: [0, 100], series: [{ key: gpuKey('gpu_util', id), label: 'GPU' }] },
    { id: `mem-${id}`, title: 'Memory', unit: 'bytes', series: [
      { key: gpuKey('gpu_mem_used_bytes', id), label: 'Used' }, { key: gpuKey('gpu_mem_total_bytes', id), label: 'Total' }] },
    { id: `temp-${id}`, title: 'Temperature', unit: 'celsius', series: [{ key: gpuKey('gpu_temp_c', id), label: 'Core' }] },
    { id: `power-${id}`, title: 'Power', unit: 'watts', series: [
      { key: gpuKey('gpu_power_w', id), label: 'Draw' }, { key: gpuKey('gpu_power_limit_w', id), label: 'Limit' }] },
  ];
}

/** Every key an exporter's panel charts or shows, for one history query. */
export function exporterKeys(disks: string[], gpus: string[]): string[] {
  const keys = new Set<string>([HOST_KEYS.load1, ...disks.map((p) => diskKey('disk_total_bytes', p))]);
  for (const c of [...hostCharts(disks), ...gpus.flatMap(gpuCharts)]) for (const s of c.series) keys.add(s.key);
  for (const id of gpus) keys.add(gpuKey('gpu_fan_pct', id));
  return [...keys];
}

/** Where the built site keeps the exporter (scripts/build-exporter.mjs writes it there). */
export const EXPORTER_FILE = './exporter/llama-dash-exporter.mjs';

/**
 * The one command that runs the downloaded exporter so that this page may read it: pages served
 * from the same machine are allowed by default; any other origin must be named with --cors.
 */
export function runCommand(pageOrigin: string | null, llama: readonly WatchedServer[] = []): string {
  const base = ['node llama-dash-exporter.mjs', ...llama.flatMap(watchFlags)].join(' ');
  if (!pageOrigin || pageOrigin === 'null') return base;
  try {
    const host = new URL(pageOrigin).hostname;
    if (['localhost', '127.0.0.1', '[::1]'].includes(host)) return base;
  } catch {
    return base;
  }
  return `${base} --cors ${pageOrigin}`;
}

/** A llama-server the exporter is to watch; `keyed` when it needs an API key. */
export interface WatchedServer {
  url: string;
  keyed: boolean;
}

/** The exporter's flags that have it watch one server (its key read from a file, never printed). */
export function watchFlags(s: WatchedServer): string[] {
  return [`--llama ${shellWord(s.url)}`, ...(s.keyed ? [`--llama-key-file ${shellWord(`${s.url}=${KEY_FILE}`)}`] : [])];
}

/** Placeholder for the file a server's key goes in: the key itself is never printed. */
export const KEY_FILE = 'llama-key.txt';

/** A URL as one POSIX shell word: quoted unless it is plainly safe. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9:/._=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
