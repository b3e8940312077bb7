import type { Unit } from '../../lib/format';

/** The unit of each instance chart (lib/promql.ts instanceCharts ids), live or from a local copy. */
export const CHART_UNITS: Record<string, Unit> = {
  promptTps: 'tok/s', genTps: 'tok/s', processing: 'count', deferred: 'count', busySlots: 'count',
  gpuUtil: 'ratio', gpuMem: 'bytes', cpu: 'ratio', mem: 'ratio', ctxFill: 'ratio', liveGenTps: 'tok/s',
};
