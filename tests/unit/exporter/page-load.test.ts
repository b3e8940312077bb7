import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../src/worker/api';
import { createCollector } from '../../../src/collect/collector';
import { buildExporter, startExporter, waitFor, type Running } from './harness';

// The worker's wiring end to end: real sqlite-wasm, real collector, real exporter process.
let exporter: Running;
beforeAll(async () => {
  exporter = await startExporter(buildExporter(), 18260, ['--interval', '250ms'], { control: { mode: 'ok', gpus: 1, util: 40 } });
});
afterAll(async () => {
  await exporter?.stop();
});

describe('exporter polling started with samples already stored', () => {
  it('asks the exporter only for what came after the newest stored sample', async () => {
    await waitFor(async () => (await exporter.json('/api/v1/history?since=0')).ts.length >= 8, 10_000, () => 'some history');
    const ring: number[] = (await exporter.json('/api/v1/history?since=0')).ts;
    const stored = ring[ring.length - 3];
    const asked: string[] = [];
    const api = createApi({
      storage: 'memory', retentionEveryMs: 0,
      collector: (deps) => createCollector({
        ...deps, timeoutMs: 2000, page: { protocol: null, origin: null },
        fetch: (input, init) => (asked.push(String(input)), fetch(input, init)),
      }),
    });
    await api.init();
    // Stored by an earlier page: the endpoint exists with samples up to `stored`, nothing polls yet.
    const ep = api.addEndpoint({ kind: 'exporter', name: 'gpu', url: exporter.base, apiKey: null, intervalMs: 250, enabled: false });
    api.saveFrames([{ endpointId: ep.id, ts: stored, values: { cpu_util: 1 } }]);
    api.updateEndpoint(ep.id, { enabled: true });
    try {
      await waitFor(() => (api.latest(ep.id)?.ts ?? 0) > stored, 10_000, () => 'frames after the stored one');
      const history = asked.filter((u) => u.includes('/api/v1/history')).map((u) => new URL(u).searchParams.get('since'));
      expect(history).toEqual([String(stored)]);
      const h = api.history({ endpointId: ep.id, keys: ['cpu_util'], from: ring[0], to: Date.now() + 1000, points: 10_000 });
      const ms = h.ts.map((t) => Math.round(t * 1000)); // history is in uPlot's seconds
      // Nothing before the stored sample was fetched again; the one right after it was.
      expect(ms.filter((t) => t < stored)).toEqual([]);
      expect(ms).toContain(ring[ring.length - 2]);
    } finally {
      api.updateEndpoint(ep.id, { enabled: false });
    }
  });
});
