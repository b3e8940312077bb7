import { blankGpu, percentOrNull, type GpuSample, type GpuVendor } from './gpu-sample';

/** The command the exporter runs on macOS: no sudo needed, unlike powermetrics. */
export const IOREG_ARGS = ['-r', '-d', '1', '-w', '0', '-c', 'IOAccelerator'] as const;

/**
 * Parses `ioreg -r -d 1 -w 0 -c IOAccelerator` text: one `+-o Class <...>` block per GPU, with
 * `"PerformanceStatistics" = {"Device Utilization %"=41,"In use system memory"=626458624,...}`.
 * Apple Silicon shares system memory, so its total is `unifiedMemoryBytes` (os.totalmem());
 * discrete GPUs in Intel Macs report vramUsedBytes/vramFreeBytes instead. Temperature and power
 * need root (powermetrics) and stay null.
 */
export function parseIoreg(text: string, unifiedMemoryBytes: number | null): GpuSample[] {
  const blocks = text.split(/^\s*\+-o /m).slice(1);
  const gpus: GpuSample[] = [];
  for (const block of blocks) {
    const ioClass = /^(\S+)/.exec(block)?.[1] ?? '';
    const props = readProperties(block);
    const stats = readDict(props.get('PerformanceStatistics') ?? '');
    if (stats.size === 0) continue;
    const model = unquote(props.get('model') ?? '');
    const vendor = vendorOf(ioClass, model);
    const gpu = blankGpu(vendor, gpus.length);
    gpu.name = model || ioClass;
    gpu.uuid = /\bid (0x[0-9a-f]+)/i.exec(block)?.[1] ?? '';
    gpu.utilPct = percentOrNull(num(stats.get('Device Utilization %')));
    const vramUsed = num(stats.get('vramUsedBytes'));
    const vramFree = num(stats.get('vramFreeBytes'));
    if (vramUsed !== null) {
      gpu.memUsedBytes = vramUsed;
      gpu.memTotalBytes = vramFree !== null ? vramUsed + vramFree : null;
    } else {
      gpu.memUsedBytes = num(stats.get('In use system memory'));
      gpu.memTotalBytes = vendor === 'apple' ? unifiedMemoryBytes : null;
    }
    gpus.push(gpu);
  }
  return gpus;
}

function vendorOf(ioClass: string, model: string): GpuVendor {
  if (/^AGX/i.test(ioClass) || /^Apple/i.test(model)) return 'apple';
  if (/AMD|Radeon/i.test(ioClass + model)) return 'amd';
  if (/NVidia|GeForce/i.test(ioClass + model)) return 'nvidia';
  return 'intel';
}

/** Top-level `"key" = value` lines of one registry entry. */
function readProperties(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of block.matchAll(/^\s*"([^"]+)"\s*=\s*(.*)$/gm)) out.set(m[1], m[2].trim());
  return out;
}

/** An ioreg inline dictionary `{"a"=1,"b"="x"}`; nested dictionaries are skipped. */
function readDict(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const body = text.trim().replace(/^\{/, '').replace(/\}$/, '');
  for (const m of body.matchAll(/"([^"]+)"\s*=\s*("[^"]*"|[^,{}]+)/g)) out.set(m[1], m[2].trim());
  return out;
}

function num(v: string | undefined): number | null {
  if (v === undefined || !/^-?\d+(\.\d+)?$/.test(v)) return null;
  return Number(v);
}

function unquote(v: string): string {
  return v.replace(/^<?"/, '').replace(/">?$/, '');
}
