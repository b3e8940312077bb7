import { describe, expect, it, vi } from 'vitest';
import { createApi } from '../../../src/worker/api';
import { createCollector } from '../../../src/collect/collector';
import { startStandIn } from '../../fixtures/llama-stand-in.mjs';
import { RequestsState, bucketFor } from '../../../src/state/requests.svelte';

describe('RequestsState over the worker API', () => {
  it('rows come from a polled llama-server, filter by endpoint, and the fast read interval is a setting', async () => {
    // Port 18253: inside the state tests' range (endpoints.test.ts uses 18252).
    const server = await startStandIn({ port: 18253, traffic: 'idle', slots: 2 });
    const api = createApi({ storage: 'memory', retentionEveryMs: 0, collector: createCollector });
    const hits = () => server.state().hits as Record<string, number>;
    try {
      await api.init();
      const ep = api.addEndpoint({ kind: 'llama', name: 'sim', url: server.url, apiKey: null, intervalMs: 1000, enabled: true });
      const state = new RequestsState();
      await state.connect(api);
      expect(state.settings).toEqual({ retentionDays: 30, fastMs: 250 });
      await vi.waitFor(() => expect(hits()['GET /metrics']).toBeGreaterThan(0), { timeout: 5000 });
      server.control({ requests: 1 });
      await vi.waitFor(async () => {
        await state.refresh();
        // Ended at a fast /slots read, then settled exactly by the counters of the next tick.
        expect(state.rows.filter((r) => r.outcome === 'ended' && r.exactTokens)).toHaveLength(1);
      }, { timeout: 15_000, interval: 500 });
      const [r] = state.rows;
      expect(r).toMatchObject({ endpointId: ep.id, model: '', source: 'slots', exactTokens: true });
      expect(r.generatedTokens).toBeGreaterThan(100);
      expect(r.decodeTps).toBeGreaterThan(30);
      expect(state.stats?.ttft.n).toBe(1);
      // While it ran, /slots was read between the 1 s ticks.
      expect(hits()['GET /slots']).toBeGreaterThan(hits()['GET /metrics'] ?? 0);

      await state.setFilter({ endpointId: ep.id + 1 });
      expect(state.rows).toEqual([]);
      expect(await state.saveSettings({ fastMs: 5 })).toBe(false);
      expect(state.error).toMatch(/0 \(off\) or 100 to 60000/);
      expect(await state.saveSettings({ fastMs: 0, retentionDays: 7 })).toBe(true);
      expect(state.settings).toEqual({ retentionDays: 7, fastMs: 0 });
    } finally {
      api.removeEndpoint(api.listEndpoints()[0]?.id ?? 0);
      await server.close();
    }
  }, 30_000);

  it('charts keep 5-minute buckets up to a day and widen them beyond', () => {
    expect(bucketFor(3_600_000)).toBe(300_000);
    expect(bucketFor(24 * 3_600_000)).toBe(300_000);
    expect(bucketFor(7 * 24 * 3_600_000)).toBe(2_100_000);
  });
});
