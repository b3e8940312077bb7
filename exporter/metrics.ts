import type { CpuTimes } from '../src/lib/host-cpu';
import type { ExporterSnapshot, GpuSourceStatus, SnapshotGpu } from '../src/lib/host-snapshot';
import { writeProm, type PromFamily, type PromSample } from '../src/lib/prom-write';
import { KEYS } from '../src/lib/series-keys';
import type { LlamaWatch } from './llama-watch';

/**
 * The /metrics page. Host metrics carry node_exporter's names and units so fleet dashboards and
 * recording rules written for node_exporter work unchanged; GPU metrics use the llamadash_gpu_
 * prefix with gpu (index), uuid, name and vendor labels on every series.
 */
export function renderMetrics(s: ExporterSnapshot, cpuTimes: readonly CpuTimes[], sources: GpuSourceStatus[], watches: readonly Pick<LlamaWatch, 'url' | 'status' | 'slotGauges'>[] = []): string {
  const h = s.host;
  const gauge = (name: string, help: string, samples: PromSample[]): PromFamily => ({ name, help, type: 'gauge', samples });
  const one = (value: number | null): PromSample[] => [{ value }];
  const cpuModes: [keyof CpuTimes, string][] = [['user', 'user'], ['nice', 'nice'], ['sys', 'system'], ['idle', 'idle'], ['irq', 'irq']];
  const disk = (pick: (d: ExporterSnapshot['host']['disks'][number]) => number | null) =>
    h.disks.map((d) => ({ labels: { mountpoint: d.path }, value: pick(d) }));
  const gpu = (pick: (g: SnapshotGpu) => number | null) =>
    s.gpus.map((g) => ({ labels: gpuLabels(g), value: pick(g) }));
  const ratio = (v: number | null) => (v === null ? null : v / 100);

  const families: PromFamily[] = [
    { name: 'node_cpu_seconds_total', help: 'Seconds the CPUs spent in each mode (from os.cpus()).', type: 'counter',
      samples: cpuTimes.flatMap((t, cpu) => cpuModes.map(([k, mode]) => ({ labels: { cpu: String(cpu), mode }, value: t[k] / 1000 }))) },
    gauge('node_memory_MemTotal_bytes', 'Memory information field MemTotal_bytes.', one(h.memTotalBytes)),
    gauge('node_memory_MemAvailable_bytes',
      h.memSource === 'meminfo' ? 'Memory information field MemAvailable_bytes.' : 'Free memory as the OS reports it (os.freemem(); no MemAvailable on this platform).',
      one(h.memAvailableBytes)),
    gauge('node_load1', '1m load average.', one(h.load1)),
    gauge('node_load5', '5m load average.', one(h.load5)),
    gauge('node_load15', '15m load average.', one(h.load15)),
    gauge('node_boot_time_seconds', 'Node boot time, in unixtime.', one(h.bootTimeS)),
    gauge('node_time_seconds', 'System time in seconds since epoch (1970).', one(s.ts / 1000)),
    gauge('node_filesystem_size_bytes', 'Filesystem size in bytes.', disk((d) => d.totalBytes)),
    gauge('node_filesystem_avail_bytes', 'Filesystem space available to non-root users in bytes.', disk((d) => d.availBytes)),
    gauge('node_filesystem_free_bytes', 'Filesystem free space in bytes.', disk((d) => d.freeBytes)),
    gauge('llamadash_host_cpu_busy_ratio', 'Share of CPU time not idle over the last sampling interval (0-1).', one(ratio(h.cpuUtilPct))),
    gauge('llamadash_gpu_info', 'GPU identity; always 1.', s.gpus.map((g) => ({
      labels: { ...gpuLabels(g), bus_id: g.busId, mig_mode: g.migMode === null ? '' : g.migMode ? 'enabled' : 'disabled' }, value: 1 }))),
    gauge('llamadash_gpu_utilization_ratio', 'GPU busy share (0-1); absent under MIG, where only MIG devices have one.', gpu((g) => ratio(g.utilPct))),
    gauge('llamadash_gpu_memory_utilization_ratio', 'GPU memory controller busy share (0-1).', gpu((g) => ratio(g.memUtilPct))),
    gauge('llamadash_gpu_memory_used_bytes', 'GPU memory in use, in bytes.', gpu((g) => g.memUsedBytes)),
    gauge('llamadash_gpu_memory_total_bytes', 'GPU memory size, in bytes (unified memory size on Apple Silicon).', gpu((g) => g.memTotalBytes)),
    gauge('llamadash_gpu_temperature_celsius', 'GPU core (edge) temperature in degrees Celsius.', gpu((g) => g.tempC)),
    gauge('llamadash_gpu_power_watts', 'GPU power draw in watts.', gpu((g) => g.powerW)),
    gauge('llamadash_gpu_power_limit_watts', 'GPU power limit in watts.', gpu((g) => g.powerLimitW)),
    gauge('llamadash_gpu_fan_speed_ratio', 'GPU fan speed as a share of its maximum (0-1).', gpu((g) => ratio(g.fanPct))),
    gauge('llamadash_gpu_mig_devices', 'MIG devices carved from this GPU.', s.gpus.filter((g) => g.migMode).map((g) => ({ labels: gpuLabels(g), value: g.migDevices.length }))),
    gauge('llamadash_exporter_source_up', 'Whether a GPU source is delivering (1) or failing (0); sources whose tool is absent are left out.',
      sources.filter((x) => x.state !== 'absent').map((x) => ({ labels: { source: x.name }, value: x.state === 'ok' || x.state === 'oneshot' ? 1 : 0 }))),
    { name: 'llamadash_exporter_source_restarts_total', help: 'Restarts of a GPU source\'s long-running process.', type: 'counter',
      samples: sources.filter((x) => x.state !== 'absent').map((x) => ({ labels: { source: x.name }, value: x.restarts })) },
    gauge('llamadash_exporter_build_info', 'Exporter version; always 1.', [{ labels: { version: s.exporterVersion }, value: 1 }]),
    gauge('llamadash_exporter_last_sample_timestamp_seconds', 'When the served sample was taken, in unixtime.', one(s.ts / 1000)),
    ...llamaFamilies(watches),
  ];
  return writeProm(families);
}

/**
 * Watched llama-servers: only what their own /metrics lacks (it has the counters and request gauges, so
 * those are not repeated): whether the exporter reaches them, and what only /slots shows, context fill
 * and live generation speed per slot. Labelled with the server's base URL (and model in router mode).
 */
function llamaFamilies(watches: readonly Pick<LlamaWatch, 'url' | 'status' | 'slotGauges'>[]): PromFamily[] {
  const pick = (name: string) => watches.flatMap((w) => w.slotGauges().filter((g) => g.name === name)
    .map((g) => ({ labels: { server: w.url, ...g.labels }, value: g.value })));
  const gauge = (name: string, help: string, samples: PromSample[]): PromFamily => ({ name, help, type: 'gauge', samples });
  if (watches.length === 0) return [];
  return [
    gauge('llamadash_llama_up', 'Whether the exporter reached this llama-server on its last read (1; also while it sleeps or loads) or not (0).',
      watches.map((w) => ({ labels: { server: w.url }, value: ['up', 'sleeping', 'loading'].includes(w.status().health) ? 1 : 0 }))),
    gauge('llamadash_llama_slot_context_fill_ratio', 'Share of a slot\'s context in use (prompt plus generated tokens over n_ctx), from /slots (0-1).', pick(KEYS.slotCtxFill)),
    gauge('llamadash_llama_slot_generation_tokens_per_second', 'Tokens a slot generates per second now, from /slots (0 while idle).', pick(KEYS.slotGenTps)),
    gauge('llamadash_llama_generation_tokens_per_second', 'Tokens generated per second now over all slots, from /slots (0 while idle).', pick(KEYS.genTpsLive)),
  ];
}

function gpuLabels(g: SnapshotGpu): Record<string, string> {
  return { gpu: g.id, uuid: g.uuid, name: g.name, vendor: g.vendor };
}
