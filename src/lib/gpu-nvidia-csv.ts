import { blankGpu, parseMeasure, percentOrNull, scaled, type GpuSample, type MigDevice } from './gpu-sample';

/** Fields every nvidia-smi since the 400-series drivers knows; the exporter always asks for these. */
export const NVIDIA_REQUIRED_FIELDS = [
  'index', 'uuid', 'name', 'utilization.gpu', 'memory.used', 'memory.total', 'temperature.gpu', 'power.draw',
] as const;

/** Asked for too, but dropped when an older driver refuses one of them ("is not a valid field"). */
const NVIDIA_OPTIONAL_FIELDS = [
  'pci.bus_id', 'utilization.memory', 'power.limit', 'fan.speed', 'mig.mode.current',
] as const;

export const NVIDIA_FIELDS: readonly string[] = [...NVIDIA_REQUIRED_FIELDS, ...NVIDIA_OPTIONAL_FIELDS];

const MIB = 1024 * 1024;

/** Header spellings that mean the same field (`--help-query-gpu` lists these as aliases). */
const ALIASES: Record<string, string> = {
  gpu_name: 'name', gpu_uuid: 'uuid', gpu_bus_id: 'pci.bus_id', 'clocks.sm': 'clocks.current.sm',
};

export interface NvidiaCsvResult {
  gpus: GpuSample[];
  /** Lines that were not data rows (driver errors, truncated lines), kept to tell the user. */
  errors: string[];
}

/**
 * Parses `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]` output. When the text
 * starts with a header (with or without `[unit]` suffixes), columns are taken from it; otherwise
 * `fields` says which column is which. Cells are separated by ", " (nvidia-smi does not quote).
 */
export function parseNvidiaCsv(text: string, fields: readonly string[] = NVIDIA_FIELDS): NvidiaCsvResult {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  let columns = fields.map(canonicalField);
  if (lines.length > 0 && isHeader(lines[0])) {
    columns = lines.shift()!.split(', ').map(canonicalField);
  }
  const gpus: GpuSample[] = [];
  const errors: string[] = [];
  for (const line of lines) {
    const cells = line.split(', ');
    if (cells.length !== columns.length) {
      errors.push(line);
      continue;
    }
    const row = new Map(columns.map((c, i) => [c, cells[i]]));
    const gpu = rowToGpu(row, gpus.length);
    if (gpu) gpus.push(gpu);
    else errors.push(line);
  }
  return { gpus, errors };
}

/** One data line of the streaming `-lms` output, with the columns the exporter asked for. */
export function parseNvidiaLine(line: string, fields: readonly string[]): GpuSample | null {
  // No trim at the end: an empty last cell leaves the line ending in ", ".
  const cells = line.replace(/^\s+|\r$/g, '').split(', ');
  if (cells.length !== fields.length) return null;
  return rowToGpu(new Map(fields.map((f, i) => [canonicalField(f), cells[i]])), 0);
}

/**
 * Reads `nvidia-smi -L`: which MIG devices each GPU index carries.
 * Lines look like `GPU 0: NAME (UUID: GPU-...)` then `  MIG 3g.40gb  Device  0: (UUID: MIG-...)`.
 */
export function parseNvidiaList(text: string): Map<number, MigDevice[]> {
  const out = new Map<number, MigDevice[]>();
  let current: MigDevice[] | null = null;
  for (const line of text.split(/\r?\n/)) {
    const gpu = /^GPU (\d+):/.exec(line);
    if (gpu) {
      current = [];
      out.set(Number(gpu[1]), current);
      continue;
    }
    const mig = /^\s+MIG\s+(\S+)\s+Device\s+(\d+):\s*\(UUID:\s*([^)\s]+)\)/.exec(line);
    if (mig && current) current.push({ profile: mig[1], index: Number(mig[2]), uuid: mig[3] });
  }
  return out;
}

/** True when stderr/stdout says the driver does not know one of the requested fields. */
export function isUnknownFieldError(output: string): boolean {
  return /is not a valid field to query/i.test(output);
}

function canonicalField(header: string): string {
  const bare = header.trim().replace(/\s*\[[^\]]*\]$/, '').toLowerCase();
  return ALIASES[bare] ?? bare;
}

function isHeader(line: string): boolean {
  const cells = line.split(', ').map(canonicalField);
  return cells.every((c) => /^[a-z][a-z0-9_.]*$/.test(c)) && cells.some((c) => c === 'index' || c === 'name' || c === 'uuid');
}

function rowToGpu(row: Map<string, string>, position: number): GpuSample | null {
  const indexCell = row.get('index');
  const index = indexCell === undefined ? position : parseMeasure(indexCell);
  if (index === null || !Number.isInteger(index)) return null;
  const gpu = blankGpu('nvidia', index);
  gpu.uuid = text(row.get('uuid'));
  gpu.name = text(row.get('name'));
  gpu.busId = text(row.get('pci.bus_id'));
  gpu.utilPct = percentOrNull(parseMeasure(row.get('utilization.gpu')));
  gpu.memUtilPct = percentOrNull(parseMeasure(row.get('utilization.memory')));
  gpu.memUsedBytes = scaled(parseMeasure(row.get('memory.used')), MIB);
  gpu.memTotalBytes = scaled(parseMeasure(row.get('memory.total')), MIB);
  gpu.tempC = parseMeasure(row.get('temperature.gpu'));
  // Newer drivers keep power.draw as an alias; a few report only the average or instant reading.
  gpu.powerW = parseMeasure(row.get('power.draw')) ?? parseMeasure(row.get('power.draw.average'))
    ?? parseMeasure(row.get('power.draw.instant'));
  gpu.powerLimitW = parseMeasure(row.get('power.limit'));
  gpu.fanPct = percentOrNull(parseMeasure(row.get('fan.speed')));
  const mig = text(row.get('mig.mode.current')).toLowerCase();
  gpu.migMode = mig === 'enabled' ? true : mig === 'disabled' ? false : null;
  return gpu;
}

function text(cell: string | undefined): string {
  const t = (cell ?? '').trim();
  return t.startsWith('[') || /^n\/?a$/i.test(t) ? '' : t;
}
