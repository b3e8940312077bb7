import { afterEach, describe, expect, it } from 'vitest';
import { endpoint, harness, standIn, waitFor, type StandIn } from './harness';
import { MODEL_STATE } from '../../../src/lib/series-keys';

let server: StandIn | null = null;
let stop: (() => void) | null = null;

afterEach(async () => {
  stop?.();
  stop = null;
  await server?.close();
  server = null;
});

async function setup(opts: Record<string, unknown> = {}, apiKey: string | null = null) {
  server = await standIn({ router: true, traffic: 'idle', loadMs: 300, ...opts });
  const h = harness([endpoint(server.url, { apiKey })]);
  stop = () => h.collector.stop();
  h.collector.sync();
  await waitFor(() => h.last()?.isRouter && h.last().routerModels.length === 3, 'the model list');
  return h;
}

describe('router mode', () => {
  it('detects a router and lists its models with their state', async () => {
    const h = await setup();
    expect(h.last().routerModels.map((m) => [m.id, m.state])).toEqual([
      ['tiny', 'unloaded'],
      ['tiny-copy', 'unloaded'],
      ['tiny-preset', 'unloaded'],
    ]);
    const f = await waitFor(() => h.frames.find((x) => 'model_state{model="tiny"}' in x.values), 'model states');
    expect(f.values['model_state{model="tiny"}']).toBe(MODEL_STATE.unloaded);
  });

  it('loads a model, follows it until loaded, then stores its metrics under a model label', async () => {
    const h = await setup();
    const seen: string[] = [];
    const unwatch = setInterval(() => {
      const s = h.last()?.routerModels.find((m) => m.id === 'tiny')?.state;
      if (s && seen[seen.length - 1] !== s) seen.push(s);
    }, 10);
    await h.collector.loadModel(1, 'tiny');
    clearInterval(unwatch);
    expect(seen).toContain('loading');
    expect(h.last().routerModels.find((m) => m.id === 'tiny')?.state).toBe('loaded');
    const f = await waitFor(() => h.frames.find((x) => 'llamacpp:tokens_predicted_total{model="tiny"}' in x.values), 'per-model metrics');
    expect(f.values['model_state{model="tiny"}']).toBe(MODEL_STATE.loaded);
    expect(f.values['slots_total{model="tiny"}']).toBe(2);
    expect(h.events.some((e) => e.kind === 'model-change' && e.detail === 'tiny loaded')).toBe(true);

    server!.control({ model: 'tiny', generating: { tokens: 3000, ms: 10_000 } });
    const live = await waitFor(() => h.frames.find((x) => (x.values['gen_tps_live{model="tiny"}'] ?? 0) > 0), 'live speed of tiny');
    expect(live.values['slot_busy{model="tiny",slot="0"}']).toBe(1);

    await h.collector.unloadModel(1, 'tiny');
    expect(h.last().routerModels.find((m) => m.id === 'tiny')?.state).toBe('unloaded');

    const st = server!.state();
    const perModel = st.log.filter((l) => ['/metrics', '/slots', '/props'].includes(l.path) && l.query);
    expect(perModel.length).toBeGreaterThan(0);
    for (const l of perModel) expect(l.query).toMatch(/autoload=false/);
    expect(st.hits.AUTOLOAD ?? 0).toBe(0);
    expect(st.hits['GET /models/sse']).toBeGreaterThanOrEqual(2);
  });

  it('rejects with words when a load fails', async () => {
    const h = await setup();
    server!.control({ failLoad: 'tiny-copy' });
    await expect(h.collector.loadModel(1, 'tiny-copy')).rejects.toThrow(/tiny-copy failed to load/);
    await expect(h.collector.loadModel(1, 'nope')).rejects.toThrow(/not found/);
  });

  it('sends the API key to a router that needs one', async () => {
    const h = await setup({ apiKey: 'secret123' }, 'secret123');
    await h.collector.loadModel(1, 'tiny');
    expect(server!.state().log.filter((l) => l.path === '/models/load').map((l) => l.auth)).toEqual(['Bearer secret123']);
  });

  it('refuses load/unload on an endpoint that is not a router', async () => {
    server = await standIn({ traffic: 'idle' });
    const h = harness([endpoint(server.url)]);
    stop = () => h.collector.stop();
    h.collector.sync();
    await waitFor(() => h.last()?.state === 'ok', 'ok');
    await expect(h.collector.loadModel(1, 'x')).rejects.toThrow(/not a llama-server router/);
  });
});
