/**
 * A local copy of one Prometheus instance's charts, kept so they stay readable offline: the step a
 * range is read at, the chunks of range queries that keep each answer small, and the answers gathered
 * onto one time grid as packed columns (float64, NaN where Prometheus had no point). Pure.
 */

import type { RangeSeries } from './prometheus-api';
import type { InstanceKind } from './promql';

/** The 'meta' event key the worker sends when the stored copies changed (so every tab's list reloads). */
export const PROM_COPIES_KEY = 'prometheus.copies';

/** The ranges a user can keep, in seconds. */
export const COPY_RANGES = [
  { label: 'Last 1 h', s: 3600 },
  { label: 'Last 6 h', s: 6 * 3600 },
  { label: 'Last 24 h', s: 24 * 3600 },
  { label: 'Last 7 days', s: 7 * 24 * 3600 },
] as const;

/** A copy holds at most this many points per series: four times a wide chart, 32 kB per series. */
export const COPY_POINTS = 4000;
/** Steps per range query: far under Prometheus' 11,000 points per series, and few samples per query. */
export const CHUNK_STEPS = 1000;
/** A chunk refused for too many samples (--query.max-samples) is halved down to this before the copy gives up. */
export const MIN_CHUNK_STEPS = 4;

/** A chart of one instance, uPlot-ready (`ts` in seconds; one column per line, null where unknown). */
export interface InstanceChart {
  id: string;
  label: string;
  /** One line per series (per slot for per-slot charts). */
  series: { key: string; label: string }[];
  ts: number[];
  values: Record<string, (number | null)[]>;
}

/** A chart the copy reads: its id and title, its PromQL, and the label whose values are separate lines. */
export interface CopySpec {
  id: string;
  label: string;
  expr: string;
  by?: string;
}

/** The time grid of a copy, in seconds: `points` samples from `start`, `step` apart. */
export interface CopyGrid {
  start: number;
  step: number;
  points: number;
}

/** The grid for the `rangeS` seconds up to `endS`: never finer than the scrape interval, at most COPY_POINTS points. */
export function copyGrid(endS: number, rangeS: number, scrapeS: number): CopyGrid {
  const step = Math.max(1, Math.round(scrapeS), Math.ceil(rangeS / (COPY_POINTS - 1)));
  const end = Math.floor(endS / step) * step;
  const points = Math.floor(rangeS / step) + 1;
  return { start: end - (points - 1) * step, step, points };
}

/** The range queries (seconds, ends included, on the grid) covering the grid, `steps` steps each at most. */
export function copyChunks(grid: CopyGrid, steps = CHUNK_STEPS): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const last = grid.start + (grid.points - 1) * grid.step;
  for (let s = grid.start; s <= last; s += steps * grid.step) out.push({ start: s, end: Math.min(last, s + (steps - 1) * grid.step) });
  return out;
}

/** One stored line of a copy. */
export interface CopySeries {
  chart: string;
  chartLabel: string;
  key: string;
  label: string;
  /** One value per grid point; NaN where there was none. */
  values: Float64Array;
}

/** Gathers the chunks' answers of every chart onto one grid. */
export class CopyBuilder {
  readonly #grid: CopyGrid;
  readonly #series = new Map<string, CopySeries>();

  constructor(grid: CopyGrid) {
    this.#grid = grid;
  }

  #column(spec: CopySpec, key: string, label: string): Float64Array {
    let s = this.#series.get(key);
    if (!s) {
      s = { chart: spec.id, chartLabel: spec.label, key, label, values: new Float64Array(this.#grid.points).fill(NaN) };
      this.#series.set(key, s);
    }
    return s.values;
  }

  /** Makes sure a single-line chart has its column even when Prometheus had nothing for it. */
  declare(spec: CopySpec): void {
    if (!spec.by) this.#column(spec, spec.id, spec.label);
  }

  /** Places one range answer of `spec` (keys and labels as the instance view makes them). */
  add(spec: CopySpec, series: readonly RangeSeries[]): void {
    const { start, step, points } = this.#grid;
    series.forEach((x, k) => {
      const v = spec.by ? (x.labels[spec.by] ?? String(k)) : null;
      const col = spec.by ? this.#column(spec, `${spec.id}:${v}`, `${spec.by} ${v}`) : this.#column(spec, spec.id, spec.label);
      for (let i = 0; i < x.ts.length; i++) {
        const at = Math.round((x.ts[i] - start) / step);
        if (at >= 0 && at < points && Number.isFinite(x.values[i])) col[at] = x.values[i];
      }
    });
  }

  /** Every line, in the order first seen (charts in the order given). */
  series(): CopySeries[] {
    return [...this.#series.values()];
  }

  /** How many values the copy holds (points where Prometheus had one). */
  samples(): number {
    let n = 0;
    for (const s of this.#series.values()) for (const v of s.values) if (!Number.isNaN(v)) n++;
    return n;
  }
}

/** A column as the bytes SQLite stores (float64, this platform's byte order: the one wasm uses). */
export function packColumn(values: Float64Array): Uint8Array {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

/** Stored bytes back as a chart column (null where NaN). */
export function unpackColumn(bytes: Uint8Array): (number | null)[] {
  const f = new Float64Array(bytes.slice().buffer);
  return Array.from(f, (v) => (Number.isNaN(v) ? null : v));
}

/** What the list of copies shows of one. Times in ms. */
export interface PromCopyInfo {
  id: number;
  /** The Prometheus endpoint it came from (null once that endpoint was removed). */
  endpointId: number | null;
  /** The Prometheus address it came from. */
  source: string;
  kind: InstanceKind;
  job: string;
  instance: string;
  model: string | null;
  from: number;
  to: number;
  stepMs: number;
  points: number;
  samples: number;
  series: number;
  createdAt: number;
}

/** A copy to store. */
export interface PromCopyInput extends Omit<PromCopyInfo, 'id' | 'from' | 'to' | 'series' | 'samples' | 'createdAt'> {
  startMs: number;
  lines: CopySeries[];
}

/** Charts of a stored copy, drawn like the live ones. */
export function copyCharts(info: PromCopyInfo, lines: { chart: string; chartLabel: string; key: string; label: string; vals: Uint8Array }[]): InstanceChart[] {
  const ts = Array.from({ length: info.points }, (_, i) => (info.from + i * info.stepMs) / 1000);
  const charts = new Map<string, InstanceChart>();
  for (const l of lines) {
    let c = charts.get(l.chart);
    if (!c) {
      c = { id: l.chart, label: l.chartLabel, series: [], ts, values: {} };
      charts.set(l.chart, c);
    }
    c.series.push({ key: l.key, label: l.label });
    c.values[l.key] = unpackColumn(l.vals);
  }
  return [...charts.values()];
}
