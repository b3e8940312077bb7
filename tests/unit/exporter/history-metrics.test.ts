import { describe, expect, it } from 'vitest';
import { History } from '../../../exporter/history';
import { ColumnRing, llamaPrecise } from '../../../exporter/ring';
import { renderMetrics } from '../../../exporter/metrics';
import { blankGpu } from '../../../src/lib/gpu-sample';
import { assignGpuIds, historyRows, snapshotSeries, type ExporterSnapshot } from '../../../src/lib/host-snapshot';
import { writeProm } from '../../../src/lib/prom-write';

describe('History', () => {
  it('keeps only the configured window and returns rows newer than since, columnar', () => {
    const h = new History(3000, 1000);
    for (let i = 1; i <= 6; i++) h.push(i * 1000, i === 6 ? { a: i, b: 1 } : { a: i });
    expect(h.size).toBe(4);
    const all = h.since(0, 1000);
    expect(all.ts).toEqual([3000, 4000, 5000, 6000]);
    expect(all.series).toEqual({ a: [3, 4, 5, 6], b: [null, null, null, 1] });
    expect(h.since(4000, 1000).ts).toEqual([5000, 6000]);
    expect(historyRows(all, 4000)).toEqual([{ ts: 5000, values: { a: 5, b: null } }, { ts: 6000, values: { a: 6, b: 1 } }]);
  });
});

describe('series keys and ids', () => {
  it('labels GPUs by index, and by vendor+index when vendors share a host', () => {
    const n = blankGpu('nvidia', 0);
    const a = blankGpu('amd', 0);
    expect(assignGpuIds([n]).map((g) => g.id)).toEqual(['0']);
    expect(assignGpuIds([n, a]).map((g) => g.id)).toEqual(['0', 'amd0']);
  });

  it('flattens a snapshot into the dashboard keys, keeping null', () => {
    const g = { ...blankGpu('nvidia', 0), utilPct: 50, memUsedBytes: 10 };
    const v = snapshotSeries({ host: host(), gpus: assignGpuIds([g]) });
    expect(v).toMatchObject({ cpu_util: 12.5, mem_used_bytes: 60, mem_total_bytes: 100, 'disk_used_bytes{path="/"}': 40,
      'gpu_util{gpu="0"}': 50, 'gpu_mem_used_bytes{gpu="0"}': 10, 'gpu_temp_c{gpu="0"}': null });
  });
});

describe('Prometheus text', () => {
  it('escapes label values and leaves unknown samples out', () => {
    const text = writeProm([
      { name: 'x_bytes', help: 'a\\b', type: 'gauge', samples: [{ labels: { name: 'say "hi"\n' }, value: 1 }, { value: null }] },
      { name: 'y', help: 'never shown', type: 'gauge', samples: [{ value: null }] },
    ]);
    expect(text).toBe('# HELP x_bytes a\\\\b\n# TYPE x_bytes gauge\nx_bytes{name="say \\"hi\\"\\n"} 1\n');
  });

  it('writes GPU ratios from percentages and no GPU family without GPUs', () => {
    const s: ExporterSnapshot = { version: 1, ts: 1000, hostname: 'h', platform: 'linux', exporterVersion: 't', intervalMs: 1000,
      host: host(), gpus: assignGpuIds([{ ...blankGpu('amd', 1), uuid: 'u', name: 'R', utilPct: 42 }]), sources: [] };
    const text = renderMetrics(s, [{ user: 1000, nice: 0, sys: 500, idle: 2000, irq: 0 }], []);
    expect(text).toContain('llamadash_gpu_utilization_ratio{gpu="1",uuid="u",name="R",vendor="amd"} 0.42\n');
    expect(text).toContain('node_cpu_seconds_total{cpu="0",mode="system"} 0.5\n');
    expect(renderMetrics({ ...s, gpus: [] }, [], [])).not.toContain('llamadash_gpu');
  });
});

function host(): ExporterSnapshot['host'] {
  return {
    cpuUtilPct: 12.5, cpuCount: 1, memTotalBytes: 100, memAvailableBytes: 40, memUsedBytes: 60, memSource: 'meminfo',
    load1: 0.5, load5: 0.4, load15: 0.3, uptimeS: 10, bootTimeS: 1,
    disks: [{ path: '/', totalBytes: 100, availBytes: 50, freeBytes: 60, usedBytes: 40, error: null }],
  };
}

describe('ColumnRing', () => {
  it('pages by since, until and limit, keeps counters in float64 and rates to float32 precision, and drops a series gone for a window', () => {
    const ring = new ColumnRing(4, llamaPrecise);
    const big = 2 ** 24 + 1;
    ring.push(1, { 'llamacpp:tokens_predicted_total': big, gen_tps: 1 / 3, 'model_state{model="a"}': 1 });
    for (let t = 2; t <= 5; t++) ring.push(t, { 'llamacpp:tokens_predicted_total': big + t, gen_tps: null });
    expect(ring.page(0).ts).toEqual([2, 3, 4, 5]);
    expect(ring.page(2, 4, 1)).toEqual({ ts: [3], series: { 'llamacpp:tokens_predicted_total': [big + 3], gen_tps: [null], 'model_state{model="a"}': [null] }, more: true });
    expect(ring.page(3, 4, 5).more).toBe(false);
    expect(ring.page(99).ts).toEqual([]);
    ring.push(6, { gen_tps: 1 / 3 });
    expect(ring.page(5).series).toEqual({ 'llamacpp:tokens_predicted_total': [null], gen_tps: [0.3333333], 'model_state{model="a"}': [null] });
    for (let t = 7; t <= 12; t++) ring.push(t, { gen_tps: 1 });
    expect(ring.keys).toEqual(['gen_tps']);
    expect(ring.bytes).toBe(4 * 8 + 4 * 4);
  });
});
