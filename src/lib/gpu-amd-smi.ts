import { blankGpu, parseMeasure, percentOrNull, type GpuSample } from './gpu-sample';

type Json = Record<string, unknown>;

/**
 * Parses `rocm-smi ... --json`: an object keyed `card0`..`cardN` (plus `system`), every value a
 * string, "N/A" when missing. Key names drifted between ROCm releases; the first present one wins.
 */
export function parseRocmSmiJson(text: string): GpuSample[] {
  const doc = JSON.parse(text) as Json;
  const cards = Object.keys(doc)
    .filter((k) => /^card\d+$/.test(k))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  return cards.map((key) => {
    const card = (doc[key] ?? {}) as Record<string, unknown>;
    const pick = (...names: string[]) => {
      for (const n of names) {
        const v = parseMeasure(asText(card[n]));
        if (v !== null) return v;
      }
      return null;
    };
    const gpu = blankGpu('amd', Number(key.slice(4)));
    gpu.busId = cleanText(card['PCI Bus']);
    gpu.uuid = cleanText(card['Unique ID']) || gpu.busId;
    gpu.name = cleanText(card['Card Series']) || cleanText(card['Device Name']) || cleanText(card['Card series']) || 'AMD GPU';
    gpu.utilPct = percentOrNull(pick('GPU use (%)'));
    gpu.memUtilPct = percentOrNull(pick('GPU Memory Read/Write Activity (%)', 'GPU memory use (%)'));
    gpu.memTotalBytes = pick('VRAM Total Memory (B)');
    gpu.memUsedBytes = pick('VRAM Total Used Memory (B)');
    gpu.tempC = pick('Temperature (Sensor edge) (C)', 'Temperature (Sensor junction) (C)');
    gpu.powerW = pick('Average Graphics Package Power (W)', 'Current Socket Graphics Package Power (W)');
    gpu.powerLimitW = pick('Max Graphics Package Power (W)');
    gpu.fanPct = percentOrNull(pick('Fan speed (%)'));
    return gpu;
  });
}

const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3 };

/**
 * Parses `amd-smi metric --json`. Two shapes are in the wild: a top-level list of per-GPU objects
 * and `{"gpu_data": [...]}`; values are `{value, unit}` pairs or "N/A". Not checked against a real
 * capture (none was available), so every field is read defensively.
 */
export function parseAmdSmiJson(text: string): GpuSample[] {
  const doc = JSON.parse(text) as unknown;
  const list = Array.isArray(doc) ? doc : Array.isArray((doc as Json)?.gpu_data) ? ((doc as Json).gpu_data as unknown[]) : [];
  return list.map((entry, position) => {
    const g = (entry ?? {}) as Json;
    const index = typeof g.gpu === 'number' ? g.gpu : position;
    const gpu = blankGpu('amd', index);
    gpu.name = 'AMD GPU';
    gpu.utilPct = percentOrNull(measure(dig(g, 'usage', 'gfx_activity')));
    gpu.memUtilPct = percentOrNull(measure(dig(g, 'usage', 'umc_activity')));
    gpu.memUsedBytes = bytes(dig(g, 'mem_usage', 'used_vram'));
    gpu.memTotalBytes = bytes(dig(g, 'mem_usage', 'total_vram'));
    gpu.tempC = measure(dig(g, 'temperature', 'edge')) ?? measure(dig(g, 'temperature', 'hotspot'));
    gpu.powerW = measure(dig(g, 'power', 'socket_power'));
    return gpu;
  });
}

function dig(obj: Json, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Json)[p] : undefined;
  return cur;
}

function measure(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return parseMeasure(v);
  if (v && typeof v === 'object') return measure((v as Json).value);
  return null;
}

function bytes(v: unknown): number | null {
  const n = measure(v);
  if (n === null) return null;
  const unit = v && typeof v === 'object' ? String((v as Json).unit ?? 'MB').toUpperCase() : 'MB';
  return n * (BYTE_UNITS[unit] ?? 1024 ** 2);
}

function asText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function cleanText(v: unknown): string {
  const t = typeof v === 'string' ? v.trim() : '';
  return /^n\/?a$/i.test(t) ? '' : t;
}
