/**
 * The PromQL the fleet page runs. Every fleet column is ONE expression over all instances, grouped
 * `by (job, instance)`, so the table costs a fixed number of queries however large the fleet is.
 * Names are those of llama-server's /metrics (llamacpp:*), our exporter (llamadash_*, node_* for the
 * host), node_exporter and NVIDIA's dcgm-exporter (DCGM_FI_*; framebuffer in MiB).
 */

import type { Labels } from './prometheus-api';

/** Which program an instance is, from the metrics it serves. */
export type InstanceKind = 'llama' | 'exporter' | 'node' | 'dcgm';

/** A PromQL string literal (double-quoted, with Go escapes). */
export function promString(s: string): string {
  return JSON.stringify(s);
}

/** A label matcher list like `{job="a",instance="b"}` (empty braces for none). */
export function matchers(labels: Labels): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${promString(v)}`).join(',')}}`;
}

const tagKind = (expr: string, kind: InstanceKind) => `label_replace(${expr}, "llamadash_kind", "${kind}", "", "")`;

/**
 * One query listing every instance with its kind (label `llamadash_kind`) and, for router models scraped
 * with a `model` label, the model.
 */
export const DISCOVERY = [
  tagKind('count by (job, instance, model) ({__name__=~"llamacpp:.+"})', 'llama'),
  tagKind('count by (job, instance) (llamadash_exporter_build_info)', 'exporter'),
  tagKind('count by (job, instance) (node_uname_info)', 'node'),
  tagKind('count by (job, instance) (DCGM_FI_DEV_GPU_UTIL)', 'dcgm'),
].join(' or ');

/** `server` label (a base URL) of the exporter's llamadash_llama_* gauges as `target` (host:port), to meet `instance`. */
const byTarget = (metric: string) => `label_replace(${metric}, "target", "$1", "server", "https?://([^/]+).*")`;

/** A fleet column: its id and the expression for a rate window of `windowS` seconds. */
export interface FleetColumnQuery {
  id: FleetColumnId;
  /** `instance`: joined on (job, instance); `target`: on the llama-server's host:port (and model). */
  joinOn: 'instance' | 'target';
  expr(windowS: number): string;
}

export type FleetColumnId =
  | 'up' | 'promptTps' | 'genTps' | 'processing' | 'deferred' | 'busySlots'
  | 'ctxFill' | 'liveGenTps' | 'gpuUtil' | 'gpuMemUsed' | 'gpuMemTotal';

const rate = (metric: string, w: number) => `sum by (job, instance) (rate(${metric}[${w}s]))`;

/** The fleet table's columns, one query each. */
export const FLEET_COLUMNS: readonly FleetColumnQuery[] = [
  { id: 'up', joinOn: 'instance', expr: () => 'max by (job, instance) (up)' },
  { id: 'promptTps', joinOn: 'instance', expr: (w) => rate('llamacpp:prompt_tokens_total', w) },
  { id: 'genTps', joinOn: 'instance', expr: (w) => rate('llamacpp:tokens_predicted_total', w) },
  { id: 'processing', joinOn: 'instance', expr: () => 'sum by (job, instance) (llamacpp:requests_processing)' },
  { id: 'deferred', joinOn: 'instance', expr: () => 'sum by (job, instance) (llamacpp:requests_deferred)' },
  { id: 'busySlots', joinOn: 'instance', expr: () => 'max by (job, instance) (llamacpp:n_busy_slots_per_decode)' },
  { id: 'ctxFill', joinOn: 'target', expr: () => `max by (target, model) (${byTarget('llamadash_llama_slot_context_fill_ratio')})` },
  { id: 'liveGenTps', joinOn: 'target', expr: () => `sum by (target, model) (${byTarget('llamadash_llama_generation_tokens_per_second')})` },
  {
    id: 'gpuUtil', joinOn: 'instance',
    expr: () => 'avg by (job, instance) (llamadash_gpu_utilization_ratio) or avg by (job, instance) (DCGM_FI_DEV_GPU_UTIL) / 100',
  },
  {
    id: 'gpuMemUsed', joinOn: 'instance',
    expr: () => 'sum by (job, instance) (llamadash_gpu_memory_used_bytes) or sum by (job, instance) (DCGM_FI_DEV_FB_USED) * 1048576',
  },
  {
    id: 'gpuMemTotal', joinOn: 'instance',
    expr: () => 'sum by (job, instance) (llamadash_gpu_memory_total_bytes) or sum by (job, instance) (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) * 1048576',
  },
];

/** The sparkline: generation tok/s of llama-servers, GPU utilisation (0-1) of exporters. */
export const sparklineExpr = (w: number) =>
  `${rate('llamacpp:tokens_predicted_total', w)} or avg by (job, instance) (llamadash_gpu_utilization_ratio) or avg by (job, instance) (DCGM_FI_DEV_GPU_UTIL) / 100`;

/**
 * The step of a range query for a chart `widthPx` wide over `rangeS` seconds: one point per pixel at
 * most, never finer than the scrape interval, rounded up to whole seconds.
 */
export function stepFor(rangeS: number, widthPx: number, scrapeS = 1): number {
  return Math.max(scrapeS, Math.ceil(rangeS / Math.max(1, widthPx)));
}

/**
 * The rate() window for a step: at least four scrapes (rate needs two points, and a missed scrape must
 * not leave a hole) and at least one step (so every point of a range query covers its whole interval).
 */
export function rateWindow(stepS: number, scrapeS = 1): number {
  return Math.max(stepS, 4 * scrapeS);
}

/** A regular expression matching exactly `s` (RE2 syntax, as PromQL's =~ takes). */
export function regexLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The charts of one instance: PromQL restricted to that instance. `by`: the label whose values become
 * separate lines (per slot), absent for a single line.
 */
export function instanceCharts(kind: InstanceKind, sel: Labels, w: number, model: string | null = null):
  { id: string; label: string; expr: string; by?: string }[] {
  const m = matchers(sel);
  if (kind === 'llama') {
    // The exporter's gauges name the server by base URL: any scheme and path prefix at this host:port.
    const server = `server=~${promString(`https?://${regexLiteral(sel.instance ?? '')}(/.*)?`)}`;
    const watched = `{${server}${model ? `,model=${promString(model)}` : ''}}`;
    return [
      { id: 'ctxFill', label: 'Context fill per slot', expr: `max by (slot) (llamadash_llama_slot_context_fill_ratio${watched})`, by: 'slot' },
      { id: 'liveGenTps', label: 'Live generation tok/s', expr: `sum(llamadash_llama_generation_tokens_per_second${watched})` },
      { id: 'promptTps', label: 'Prompt tok/s', expr: `sum(rate(llamacpp:prompt_tokens_total${m}[${w}s]))` },
      { id: 'genTps', label: 'Generation tok/s', expr: `sum(rate(llamacpp:tokens_predicted_total${m}[${w}s]))` },
      { id: 'processing', label: 'Requests processing', expr: `sum(llamacpp:requests_processing${m})` },
      { id: 'deferred', label: 'Requests deferred', expr: `sum(llamacpp:requests_deferred${m})` },
      { id: 'busySlots', label: 'Busy slots per decode', expr: `max(llamacpp:n_busy_slots_per_decode${m})` },
    ];
  }
  if (kind === 'node') {
    return [
      { id: 'cpu', label: 'CPU busy', expr: `1 - avg(rate(node_cpu_seconds_total${matchers({ ...sel, mode: 'idle' })}[${w}s]))` },
      { id: 'mem', label: 'Memory used', expr: `1 - sum(node_memory_MemAvailable_bytes${m}) / sum(node_memory_MemTotal_bytes${m})` },
    ];
  }
  if (kind === 'dcgm') {
    return [
      { id: 'gpuUtil', label: 'GPU utilisation', expr: `avg(DCGM_FI_DEV_GPU_UTIL${m}) / 100` },
      { id: 'gpuMem', label: 'GPU memory used', expr: `sum(DCGM_FI_DEV_FB_USED${m}) * 1048576` },
    ];
  }
  return [
    { id: 'gpuUtil', label: 'GPU utilisation', expr: `avg(llamadash_gpu_utilization_ratio${m})` },
    { id: 'gpuMem', label: 'GPU memory used', expr: `sum(llamadash_gpu_memory_used_bytes${m})` },
    { id: 'cpu', label: 'CPU busy', expr: `1 - avg(rate(node_cpu_seconds_total${matchers({ ...sel, mode: 'idle' })}[${w}s]))` },
  ];
}
