// The worker's wiring end to end for filling a llama-server's gap from an exporter that watches it: real
// sqlite-wasm, the real collector polling the stand-in llama-server itself, the built exporter as a process
// started with --llama watching the same stand-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../src/worker/api';
import { createCollector } from '../../../src/collect/collector';
import { filledSpan } from '../../../src/lib/gap-plan';
import { startStandIn } from '../../fixtures/llama-stand-in.mjs';
import { buildExporter, startExporter, waitFor, type Running } from './harness';

interface StandIn { url: string; close(): Promise<void>; control(p: Record<string, unknown>): unknown; state(): { hits: Record<string, number> } }

let exporter: Running;
let llama: StandIn;
beforeAll(async () => {
  llama = (await startStandIn({ port: 0, traffic: 'steady' })) as StandIn;
  exporter = await startExporter(buildExporter(), 18248, ['--interval', '250ms', '--nvidia-smi', 'off', '--llama', llama.url, '--llama-interval', '200ms'], { fake: false });
});
afterAll(async () => {
  await exporter?.stop();
  await llama?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RATES = ['prompt_tps', 'gen_tps', 'prompt_tokens_rate', 'gen_tokens_rate', 'requests_per_min'];

describe('filling a llama-server gap from the exporter', () => {
  it('fills the span the dashboard did not poll, once, marked, with the restart in it and no negative rate', { timeout: 40_000 }, async () => {
    const api = createApi({
      storage: 'memory', retentionEveryMs: 0,
      collector: (deps) => createCollector({ ...deps, timeoutMs: 2000, page: { protocol: null, origin: null } }),
    });
    await api.init();
    const ep = api.addEndpoint({ kind: 'llama', name: 'box', url: llama.url, apiKey: null, intervalMs: 250, enabled: true });
    try {
      await waitFor(() => (api.latest(ep.id)?.ts ?? 0) > Date.now() - 1000, 10_000, () => 'own samples');
      // The dashboard stops polling (the tab closed) while the server restarts and keeps serving.
      api.updateEndpoint(ep.id, { enabled: false });
      await sleep(600);
      const lastOwn = api.latest(ep.id)!.ts;
      await sleep(1500);
      // A restart shows only once a counter has moved (a reset from 0 to 0 is no reset).
      const moved = async () => ((await exporter.json(`/api/v1/history?llama=${encodeURIComponent(llama.url)}&limit=10000`)).series['llamacpp:tokens_predicted_total'] ?? []).some((v: number | null) => (v ?? 0) > 0);
      llama.control({ requests: 2 });
      await waitFor(moved, 10_000, () => 'finished requests');
      llama.control({ restart: true });
      await sleep(3500);
      const reopened = Date.now();
      api.updateEndpoint(ep.id, { enabled: true });
      api.addEndpoint({ kind: 'exporter', name: 'box exporter', url: exporter.base, apiKey: null, intervalMs: 250, enabled: true });

      const filledEvents = () => api.events(ep.id, 0, Date.now() + 1000).filter((e) => e.kind === 'filled');
      await waitFor(() => filledEvents().length > 0, 10_000, () => `a filled span (${JSON.stringify(api.endpointStatuses())})`);
      const spans = filledEvents().map((e) => filledSpan(e.ts, e.detail)!);
      expect(spans).toHaveLength(1);
      const [span] = spans;
      expect(span.source).toBe(exporter.base.replace('http://', ''));
      expect(span.from).toBeGreaterThan(lastOwn);
      expect(span.to).toBeLessThan(reopened + 1000);
      expect(span.to - span.from).toBeGreaterThan(3000);

      const h = api.history({ endpointId: ep.id, keys: ['up', ...RATES], from: span.from, to: span.to, points: 100_000 });
      // One sample every 200 ms from the exporter over the span (give or take the edges).
      expect(h.ts.length).toBeGreaterThanOrEqual(Math.floor((span.to - span.from) / 200) - 2);
      expect(new Set(h.ts).size).toBe(h.ts.length);
      expect(h.values.up.every((v) => v === 1)).toBe(true);
      const whole = api.history({ endpointId: ep.id, keys: RATES, from: 0, to: Date.now() + 1000, points: 100_000 });
      for (const k of RATES) for (const v of whole.values[k]) expect(v === null || v >= 0, k).toBe(true);
      const restarts = api.events(ep.id, span.from, span.to).filter((e) => e.kind === 'restart');
      expect(restarts).toHaveLength(1);
    } finally {
      for (const e of api.listEndpoints()) api.updateEndpoint(e.id, { enabled: false });
    }
  });

  it('fills a server the dashboard reaches at another address once it is linked by hand, and not before', { timeout: 40_000 }, async () => {
    const api = createApi({
      storage: 'memory', retentionEveryMs: 0,
      collector: (deps) => createCollector({ ...deps, timeoutMs: 2000, page: { protocol: null, origin: null } }),
    });
    await api.init();
    // The exporter watches 127.0.0.1:<port>; this dashboard knows the same server as localhost:<port>.
    const other = llama.url.replace('127.0.0.1', 'localhost');
    const ep = api.addEndpoint({ kind: 'llama', name: 'box', url: other, apiKey: null, intervalMs: 250, enabled: false });
    try {
      await sleep(4000);
      api.updateEndpoint(ep.id, { enabled: true });
      const x = api.addEndpoint({ kind: 'exporter', name: 'box exporter', url: exporter.base, apiKey: null, intervalMs: 250, enabled: true });
      const filled = () => api.events(ep.id, 0, Date.now() + 1000).filter((e) => e.kind === 'filled');
      await waitFor(() => (api.endpointStatuses().find((s) => s.endpointId === x.id)?.info.llama?.length ?? 0) > 0, 10_000, () => 'the exporter\'s watch list');
      await sleep(1500);
      expect(filled()).toEqual([]);
      api.setMeta(`link.exporter.${ep.id}`, { exporterId: x.id, url: llama.url });
      // The filler checks each endpoint every 30 s; a fresh exporter poller (re-enabled) checks at once.
      api.updateEndpoint(x.id, { enabled: false });
      api.updateEndpoint(x.id, { enabled: true });
      await waitFor(() => filled().length > 0, 10_000, () => 'a filled span');
      const span = filledSpan(filled()[0].ts, filled()[0].detail)!;
      expect(span.from).toBeGreaterThanOrEqual(ep.createdAt);
      expect(api.history({ endpointId: ep.id, keys: ['up'], from: span.from, to: span.to, points: 100_000 }).ts.length).toBeGreaterThan(5);
    } finally {
      for (const e of api.listEndpoints()) api.updateEndpoint(e.id, { enabled: false });
    }
  });
});
