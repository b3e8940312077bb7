import { blankGpu, parseMeasure, percentOrNull, scaled, type GpuSample } from './gpu-sample';

/** Files read from /sys/class/drm/cardN/device for each card (all world-readable, no root). */
export const AMD_DEVICE_FILES = [
  'vendor', 'uevent', 'product_name', 'unique_id', 'gpu_busy_percent', 'mem_busy_percent',
  'mem_info_vram_used', 'mem_info_vram_total',
] as const;

/** Files read from the card's hwmon/hwmonN directory. */
export const AMD_HWMON_FILES = [
  'temp1_input', 'power1_average', 'power1_input', 'power1_cap', 'pwm1', 'pwm1_max',
] as const;

/**
 * Contents of one card's files, keyed by the names above; hwmon files as `hwmon/<name>`.
 * A file that does not exist (older kernels, APUs) is absent or undefined.
 */
export type AmdSysfsFiles = Partial<Record<string, string>>;

const AMD_VENDOR = 0x1002;

/** True when a /sys/class/drm entry is a card (card0), not a connector (card0-DP-1) or render node. */
export function isDrmCardName(name: string): boolean {
  return /^card\d+$/.test(name);
}

/**
 * One amdgpu card from its sysfs files: busy percent, VRAM used/total (bytes), edge temperature
 * (millidegrees in sysfs), power (microwatts: power1_average, else power1_input on newer kernels),
 * power cap, fan from PWM duty. Returns null for a card that is not AMD.
 */
export function parseAmdSysfs(files: AmdSysfsFiles, cardIndex: number): GpuSample | null {
  const uevent = parseUevent(files.uevent ?? '');
  const vendor = hexOrNull(files.vendor) ?? hexOrNull(uevent.PCI_ID?.split(':')[0]);
  if (vendor !== AMD_VENDOR) return null;
  const gpu = blankGpu('amd', cardIndex);
  gpu.busId = uevent.PCI_SLOT_NAME ?? '';
  const product = clean(files.product_name);
  gpu.name = product !== '' ? product : `AMD GPU ${uevent.PCI_ID ?? ''}`.trim();
  const unique = clean(files.unique_id);
  gpu.uuid = unique !== '' ? unique : gpu.busId;
  gpu.utilPct = percentOrNull(parseMeasure(files.gpu_busy_percent));
  gpu.memUtilPct = percentOrNull(parseMeasure(files.mem_busy_percent));
  gpu.memUsedBytes = parseMeasure(files.mem_info_vram_used);
  gpu.memTotalBytes = parseMeasure(files.mem_info_vram_total);
  gpu.tempC = scaled(parseMeasure(files['hwmon/temp1_input']), 1e-3);
  gpu.powerW = scaled(parseMeasure(files['hwmon/power1_average']) ?? parseMeasure(files['hwmon/power1_input']), 1e-6);
  gpu.powerLimitW = scaled(parseMeasure(files['hwmon/power1_cap']), 1e-6);
  const pwm = parseMeasure(files['hwmon/pwm1']);
  const pwmMax = parseMeasure(files['hwmon/pwm1_max']);
  gpu.fanPct = pwm !== null && pwmMax ? percentOrNull((pwm / pwmMax) * 100) : null;
  return gpu;
}

function parseUevent(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.replace(/\0/g, '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

function hexOrNull(text: string | undefined): number | null {
  const t = clean(text);
  if (!/^(0x)?[0-9a-f]+$/i.test(t)) return null;
  return parseInt(t.replace(/^0x/i, ''), 16);
}

function clean(text: string | undefined): string {
  return (text ?? '').replace(/\0/g, '').trim();
}
