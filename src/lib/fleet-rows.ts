/**
 * The fleet table's rows: every instance a Prometheus knows (from the discovery query and one vector
 * per column) plus the llama-servers polled directly, with sorting and filtering. Pure, so the 200-instance
 * bench and the tests build exactly what the page draws.
 */

import type { FleetColumnId, InstanceKind } from './promql';
import type { RangeSeries, VectorSample } from './prometheus-api';

/** Numbers of one row; null = not known (the row says why in `reasons`). */
export type FleetValues = Record<FleetColumnId, number | null>;

export interface FleetRow {
  /** Unique over the table: source and job/instance (or endpoint id). */
  key: string;
  /** Where the row comes from: a Prometheus endpoint's name, or "direct". */
  via: string;
  /** The Prometheus endpoint (via Prometheus) or the polled endpoint (direct). */
  endpointId: number;
  direct: boolean;
  kind: InstanceKind;
  job: string;
  instance: string;
  model: string | null;
  values: FleetValues;
  /** Why a column is empty, by column, when it is worth saying. */
  reasons: Partial<Record<FleetColumnId, string>>;
  /** Sparkline points (oldest first; null in holes). */
  spark: (number | null)[];
}

export const emptyValues = (): FleetValues => ({
  up: null, promptTps: null, genTps: null, processing: null, deferred: null, busySlots: null,
  ctxFill: null, liveGenTps: null, gpuUtil: null, gpuMemUsed: null, gpuMemTotal: null,
});

const KIND_ORDER: InstanceKind[] = ['llama', 'exporter', 'dcgm', 'node'];
const fin = (v: number) => (Number.isFinite(v) ? v : null);
const hostOf = (instance: string) => instance.replace(/:\d+$/, '');
const key2 = (job: string, instance: string) => `${job}\u0000${instance}`;

/** What one Prometheus answered for the table. */
export interface PromAnswers {
  discovery: VectorSample[];
  columns: Partial<Record<FleetColumnId, VectorSample[]>>;
  spark: { series: RangeSeries[]; start: number; step: number; points: number } | null;
}

const NO_WATCH = 'no companion exporter watches this server (its llamadash_llama_* gauges are absent)';

/** The rows for one Prometheus endpoint. */
export function promRows(endpointId: number, via: string, a: PromAnswers): FleetRow[] {
  const rows = new Map<string, FleetRow>();
  for (const s of a.discovery) {
    const job = s.labels.job ?? '';
    const instance = s.labels.instance ?? '';
    const kind = s.labels.llamadash_kind as InstanceKind;
    const k = key2(job, instance);
    const had = rows.get(k);
    if (had && KIND_ORDER.indexOf(had.kind) <= KIND_ORDER.indexOf(kind)) continue;
    rows.set(k, {
      key: `p${endpointId}\u0000${k}`, via, endpointId, direct: false, kind, job, instance,
      model: s.labels.model || null, values: emptyValues(), reasons: {}, spark: [],
    });
  }
  const byTarget = new Map<string, FleetRow[]>();
  const byHost = new Map<string, FleetRow[]>();
  for (const r of rows.values()) {
    if (r.kind === 'llama') byTarget.set(r.instance, [...(byTarget.get(r.instance) ?? []), r]);
    byHost.set(hostOf(r.instance), [...(byHost.get(hostOf(r.instance)) ?? []), r]);
  }
  for (const [id, samples] of Object.entries(a.columns) as [FleetColumnId, VectorSample[]][]) {
    for (const s of samples) {
      if (id === 'ctxFill' || id === 'liveGenTps') {
        for (const r of byTarget.get(s.labels.target ?? '') ?? []) {
          if (!s.labels.model || s.labels.model === r.model) r.values[id] = fin(s.value);
        }
      } else {
        const r = rows.get(key2(s.labels.job ?? '', s.labels.instance ?? ''));
        if (r) r.values[id] = fin(s.value);
      }
    }
  }
  for (const r of rows.values()) {
    if (r.kind !== 'llama') continue;
    if (r.values.ctxFill === null) r.reasons.ctxFill = NO_WATCH;
    if (r.values.liveGenTps === null) r.reasons.liveGenTps = NO_WATCH;
    // GPUs are scraped from an exporter on the same host: show them on the server's row too.
    const gpu = (byHost.get(hostOf(r.instance)) ?? []).find((o) => o.kind !== 'llama' && o.values.gpuUtil !== null);
    if (gpu && r.values.gpuUtil === null) {
      r.values.gpuUtil = gpu.values.gpuUtil;
      r.values.gpuMemUsed = gpu.values.gpuMemUsed;
      r.values.gpuMemTotal = gpu.values.gpuMemTotal;
      r.reasons.gpuUtil = `from ${gpu.job} on the same host`;
    }
  }
  if (a.spark) {
    for (const s of a.spark.series) {
      const r = rows.get(key2(s.labels.job ?? '', s.labels.instance ?? ''));
      if (!r) continue;
      const col: (number | null)[] = new Array(a.spark.points).fill(null);
      for (let i = 0; i < s.ts.length; i++) {
        const at = Math.round((s.ts[i] - a.spark.start) / a.spark.step);
        if (at >= 0 && at < col.length && Number.isFinite(s.values[i])) col[at] = s.values[i];
      }
      r.spark = col;
    }
  }
  return [...rows.values()];
}

/** Columns the table sorts by. */
export type SortKey = 'name' | 'via' | 'model' | FleetColumnId;

/** Rows sorted by `key` (unknown values last, whichever direction), then by name. */
export function sortRows(rows: FleetRow[], key: SortKey, dir: 'asc' | 'desc'): FleetRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const text = (r: FleetRow) => (key === 'name' ? `${r.job} ${r.instance}` : key === 'via' ? r.via : key === 'model' ? (r.model ?? '') : null);
  return [...rows].sort((a, b) => {
    const ta = text(a);
    if (ta !== null) return sign * ta.localeCompare(text(b)!) || a.key.localeCompare(b.key);
    const va = a.values[key as FleetColumnId];
    const vb = b.values[key as FleetColumnId];
    if (va === null || vb === null) return va === vb ? a.key.localeCompare(b.key) : va === null ? 1 : -1;
    return sign * (va - vb) || a.key.localeCompare(b.key);
  });
}

/** Rows whose job, instance, model, kind or source contain every word of `text` (case-insensitive). */
export function filterRows(rows: FleetRow[], text: string): FleetRow[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows;
  return rows.filter((r) => {
    const hay = `${r.job} ${r.instance} ${r.model ?? ''} ${r.kind} ${r.via} ${r.values.up === 0 ? 'down' : 'up'}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
