import { describe, expect, it } from 'vitest';
import { filterRows, promRows, sortRows, type PromAnswers } from '../../../src/lib/fleet-rows';
import type { VectorSample } from '../../../src/lib/prometheus-api';

const v = (labels: Record<string, string>, value: number): VectorSample => ({ labels, ts: 1000, value });

const answers: PromAnswers = {
  discovery: [
    v({ job: 'llama-a', instance: 'gpu1:8080', llamadash_kind: 'llama' }, 12),
    v({ job: 'llama-r-tiny', instance: 'gpu2:8080', model: 'tiny', llamadash_kind: 'llama' }, 12),
    v({ job: 'exp', instance: 'gpu1:8642', llamadash_kind: 'exporter' }, 1),
    // The exporter also serves node_* names but is no node_exporter: one row, the better kind.
    v({ job: 'node', instance: 'gpu3:9100', llamadash_kind: 'node' }, 1),
  ],
  columns: {
    up: [v({ job: 'llama-a', instance: 'gpu1:8080' }, 1), v({ job: 'llama-r-tiny', instance: 'gpu2:8080' }, 0)],
    genTps: [v({ job: 'llama-a', instance: 'gpu1:8080' }, 42.5), v({ job: 'llama-r-tiny', instance: 'gpu2:8080' }, NaN)],
    ctxFill: [v({ target: 'gpu1:8080' }, 0.25), v({ target: 'gpu2:8080', model: 'other' }, 0.9)],
    gpuUtil: [v({ job: 'exp', instance: 'gpu1:8642' }, 0.5)],
    gpuMemUsed: [v({ job: 'exp', instance: 'gpu1:8642' }, 2 ** 30)],
  },
  spark: { series: [{ labels: { job: 'llama-a', instance: 'gpu1:8080' }, ts: [100, 110, 130], values: [1, 2, Infinity] }], start: 100, step: 10, points: 4 },
};

describe('promRows', () => {
  const rows = promRows(7, 'prom', answers);
  const row = (job: string) => rows.find((r) => r.job === job)!;

  it('makes one row per job and instance with the column values, NaN as unknown', () => {
    expect(rows.map((r) => [r.job, r.kind, r.model])).toEqual([
      ['llama-a', 'llama', null], ['llama-r-tiny', 'llama', 'tiny'], ['exp', 'exporter', null], ['node', 'node', null],
    ]);
    expect(row('llama-a').values).toMatchObject({ up: 1, genTps: 42.5, ctxFill: 0.25 });
    expect(row('llama-r-tiny').values).toMatchObject({ up: 0, genTps: null });
  });

  it('takes context fill only from the exporter watching that server (and model), else says why', () => {
    expect(row('llama-r-tiny').values.ctxFill).toBeNull();
    expect(row('llama-r-tiny').reasons.ctxFill).toMatch(/no companion exporter watches this server/);
    expect(row('llama-a').reasons.ctxFill).toBeUndefined();
  });

  it('shows the GPU of an exporter on the same host on the server row, saying where it comes from', () => {
    expect(row('llama-a').values).toMatchObject({ gpuUtil: 0.5, gpuMemUsed: 2 ** 30 });
    expect(row('llama-a').reasons.gpuUtil).toBe('from exp on the same host');
    expect(row('llama-r-tiny').values.gpuUtil).toBeNull();
  });

  it('puts sparkline points on the step grid with holes as null', () => {
    expect(row('llama-a').spark).toEqual([1, 2, null, null]);
  });
});

describe('sortRows and filterRows', () => {
  const rows = promRows(7, 'prom', answers);
  it('sorts numbers either way with unknowns last', () => {
    expect(sortRows(rows, 'genTps', 'desc').map((r) => r.job)).toEqual(['llama-a', 'exp', 'llama-r-tiny', 'node']);
    expect(sortRows(rows, 'gpuUtil', 'asc').map((r) => r.job).slice(0, 2)).toEqual(['exp', 'llama-a']);
    expect(sortRows(rows, 'name', 'desc').map((r) => r.job)).toEqual(['node', 'llama-r-tiny', 'llama-a', 'exp']);
  });
  it('filters on every word: job, instance, model, kind, down', () => {
    expect(filterRows(rows, 'tiny down').map((r) => r.job)).toEqual(['llama-r-tiny']);
    expect(filterRows(rows, 'GPU1 llama').map((r) => r.job)).toEqual(['llama-a']);
    expect(filterRows(rows, '  ')).toHaveLength(4);
  });
});
