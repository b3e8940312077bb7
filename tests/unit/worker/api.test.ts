import { describe, expect, it } from 'vitest';
import { createApi } from '../../../src/worker/api';
import type { Collector, CollectorDeps } from '../../../src/collect/collector';
import type { DbEvent, EndpointInput, ModelConfigInput } from '../../../src/lib/types';

const llama: EndpointInput = { kind: 'llama', name: 'box', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true };

function model(name: string, over: Partial<ModelConfigInput> = {}): ModelConfigInput {
  return {
    name, family: 'llama', type: 'chat', status: 'draft', notes: '', args: { '--ctx-size': 4096 }, extraArgs: [],
    catalogueId: null, endpointId: null, routerModel: null, ...over,
  };
}

async function ready(opts: Parameters<typeof createApi>[0] = {}) {
  const api = createApi({ storage: 'memory', retentionEveryMs: 0, ...opts });
  const events: DbEvent[] = [];
  api.subscribe((ev) => events.push(ev));
  const status = await api.init();
  return { api, events, status };
}

/** Collector frames wait at most half the shortest poll interval (the fake collectors say 400 ms) to share one commit. */
const afterCoalescing = () => new Promise((r) => setTimeout(r, 300));

/** Events are delivered asynchronously (as over Comlink): let them arrive. */
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('database API (in-thread, sqlite-wasm :memory:)', () => {
  it('opens, migrates and reports where the data lives', async () => {
    const { api, status, events } = await ready();
    expect(status).toEqual({ state: 'ready', storage: 'memory', message: null });
    await flush();
    // Pages reload what they show when a database (re)opens under them, e.g. after a hand-over.
    expect(events).toEqual([{ type: 'db', status }, { type: 'endpoints' }, { type: 'models' }]);
    const info = api.dbInfo();
    expect(info.storage).toBe('memory');
    expect(info.tables.map((t) => t.name)).toContain('models');
  });

  it('refuses calls before the database is open, in words', () => {
    const api = createApi({ storage: 'memory', retentionEveryMs: 0 });
    expect(() => api.listModels()).toThrow(/not open yet/);
  });

  it('keeps endpoints, tells listeners and re-syncs the collector on every change', async () => {
    const synced: number[] = [];
    const collector = (deps: CollectorDeps): Collector => ({
      sync: () => synced.push(deps.listEndpoints().length),
      stop: () => {},
      statuses: () => [], shortestIntervalMs: () => 400,
      testConnection: () => Promise.reject(new Error('unused')),
      loadModel: () => Promise.resolve(),
      unloadModel: () => Promise.resolve(),
    });
    const { api, events } = await ready({ collector });
    await flush();
    events.length = 0;
    const ep = api.addEndpoint(llama);
    api.updateEndpoint(ep.id, { name: 'renamed' });
    expect(api.listEndpoints().map((e) => e.name)).toEqual(['renamed']);
    api.removeEndpoint(ep.id);
    expect(api.listEndpoints()).toEqual([]);
    expect(synced).toEqual([0, 1, 1, 0]);
    await flush();
    expect(events.filter((e) => e.type === 'endpoints')).toHaveLength(3);
  });

  it('saves frames from the collector and serves history, latest values and events', async () => {
    let deps!: CollectorDeps;
    const collector = (d: CollectorDeps): Collector => {
      deps = d;
      return { sync() {}, stop() {}, statuses: () => [], shortestIntervalMs: () => 400, testConnection: () => Promise.reject(new Error('unused')), loadModel: async () => {}, unloadModel: async () => {} };
    };
    const { api, events } = await ready({ collector });
    const ep = api.addEndpoint(llama);
    const t0 = 1_700_000_000_000;
    deps.saveFrames(
      Array.from({ length: 10 }, (_, i) => ({ endpointId: ep.id, ts: t0 + i * 1000, values: { gen_tps: i, 'llamacpp:requests_processing': i % 2 } })),
      [{ endpointId: ep.id, ts: t0 + 5000, kind: 'restart' }],
    );
    expect(api.latest(ep.id)).toBeNull();
    await afterCoalescing();
    const h = api.history({ endpointId: ep.id, keys: ['gen_tps'], from: t0, to: t0 + 10_000, points: 100 });
    expect(h.tier).toBe('raw');
    expect(h.values.gen_tps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(api.latest(ep.id)?.values.gen_tps).toBe(9);
    expect(api.events(ep.id, t0, t0 + 10_000).map((e) => e.kind)).toEqual(['restart']);
    await flush();
    expect(events).toContainEqual(expect.objectContaining({ type: 'frames', endpointIds: [ep.id] }));
    // A window with only a marker (an exporter going down stores no frame) still names its endpoint:
    // an empty list would tell the page that all history changed.
    events.length = 0;
    deps.saveFrames([], [{ endpointId: ep.id, ts: t0 + 11_000, kind: 'down', detail: 'timeout' }]);
    await afterCoalescing();
    await flush();
    expect(events.filter((e) => e.type === 'frames')).toEqual([expect.objectContaining({ endpointIds: [ep.id] })]);
    api.clearMetrics();
    expect(api.latest(ep.id)).toBeNull();
    await flush();
    // Pages start every chart over on this, instead of reading an empty id list as "everything".
    expect(events.at(-1)).toEqual({ type: 'history-reset' });
  });

  it('stores the frames of several pollers in one commit, and a bad one costs the others nothing', async () => {
    let deps!: CollectorDeps;
    const collector = (d: CollectorDeps): Collector => {
      deps = d;
      return { sync() {}, stop() {}, statuses: () => [], shortestIntervalMs: () => 400, testConnection: () => Promise.reject(new Error('unused')), loadModel: async () => {}, unloadModel: async () => {} };
    };
    const { api } = await ready({ collector });
    const a = api.addEndpoint(llama);
    const b = api.addEndpoint({ ...llama, url: 'http://127.0.0.1:8081' });
    const ts = 1_700_000_000_000;
    deps.saveFrames([{ endpointId: a.id, ts, values: { gen_tps: 1 } }]);
    deps.saveFrames([{ endpointId: b.id, ts: Number.NaN, values: { gen_tps: 2 } }]);
    deps.saveFrames([{ endpointId: b.id, ts, values: { gen_tps: 3 } }]);
    await afterCoalescing();
    expect(api.latest(a.id)?.values.gen_tps).toBe(1);
    expect(api.latest(b.id)?.values.gen_tps).toBe(3);
    expect(api.status().message).toMatch(/Samples could not be stored/);
    // Once a whole tick stores again, the warning goes away by itself.
    deps.saveFrames([{ endpointId: a.id, ts: ts + 1000, values: { gen_tps: 4 } }]);
    await afterCoalescing();
    expect(api.status().message).toBeNull();
  });

  it('a batch that fails part-way leaves nothing behind', async () => {
    const { api } = await ready();
    const ep = api.addEndpoint(llama);
    const good = { endpointId: ep.id, ts: 1_700_000_000_000, values: { gen_tps: 1 } };
    const bad = { endpointId: ep.id, ts: Number.NaN, values: { gen_tps: 2 } };
    expect(() => api.saveFrames([good, bad])).toThrow();
    expect(api.latest(ep.id)).toBeNull();
  });

  it('stores model configurations with filters, by id and by name', async () => {
    const { api, events } = await ready();
    await flush();
    events.length = 0;
    const a = api.createModel(model('Qwen3 8B', { type: 'chat', status: 'running' }));
    api.createModel(model('bge-m3', { type: 'embedding' }));
    expect(api.listModels({ type: 'embedding' }).map((m) => m.name)).toEqual(['bge-m3']);
    expect(api.listModels({ status: 'running' }).map((m) => m.name)).toEqual(['Qwen3 8B']);
    expect(api.listModels({ name: 'qwen' }).map((m) => m.name)).toEqual(['Qwen3 8B']);
    expect(api.getModel(a.id)?.args['--ctx-size']).toBe(4096);
    expect(api.getModelByName('Qwen3 8B')?.id).toBe(a.id);
    api.updateModel(a.id, { notes: 'fast' });
    expect(api.getModel(a.id)?.notes).toBe('fast');
    api.deleteModel(a.id);
    expect(api.getModel(a.id)).toBeNull();
    expect(api.deleteAllModels()).toBe(1);
    await flush();
    expect(events.filter((e) => e.type === 'models').length).toBe(5);
  });

  it('keeps metadata and catalogues', async () => {
    const { api } = await ready();
    api.setMeta('ui.theme', 'dark');
    expect(api.getMeta('ui.theme')).toBe('dark');
    api.setMeta('ui.theme', 'light');
    expect(api.getMeta('ui.theme')).toBe('light');
    const { id } = api.saveCatalogue({ build: 'b10573', helpText: '--ctx-size N', catalogue: { flags: 1 } });
    expect(api.listCatalogues().map((c) => c.build)).toEqual(['b10573']);
    expect(api.getCatalogue(id)?.catalogue).toEqual({ flags: 1 });
    api.deleteCatalogue(id);
    expect(api.listCatalogues()).toEqual([]);
  });

  it('exports the database and imports it back over later changes', async () => {
    const { api } = await ready();
    api.createModel(model('before'));
    api.setMeta('k', 'v1');
    const image = api.exportDatabase();
    expect(new TextDecoder().decode(image.subarray(0, 15))).toBe('SQLite format 3');
    api.deleteAllModels();
    api.createModel(model('after'));
    api.setMeta('k', 'v2');

    const result = api.importDatabase(image);
    expect(result.ok).toBe(true);
    expect(api.listModels().map((m) => m.name)).toEqual(['before']);
    expect(api.getMeta('k')).toBe('v1');
    api.createModel(model('still writable'));
    expect(api.listModels()).toHaveLength(2);
  });

  it('refuses a non-SQLite file and a truncated one, keeping the current data', async () => {
    const { api } = await ready();
    api.createModel(model('precious'));
    const image = api.exportDatabase();
    const text = new TextEncoder().encode('not a database '.repeat(100));
    for (const bad of [text, image.subarray(0, Math.floor(image.byteLength / 2))]) {
      const r = api.importDatabase(bad);
      expect(r.ok).toBe(false);
      expect(r.message.length).toBeGreaterThan(10);
      expect(api.listModels().map((m) => m.name)).toEqual(['precious']);
    }
  });

  it('says plainly when a collector feature is used where nothing polls', async () => {
    const { api } = await ready();
    expect(api.endpointStatuses()).toEqual([]);
    expect(() => api.loadModel(1, 'x')).toThrow(/not running/);
  });

  it('runs the retention pass on demand', async () => {
    const { api } = await ready();
    const ep = api.addEndpoint(llama);
    const old = Date.now() - 3 * 24 * 3600_000;
    api.saveFrames(Array.from({ length: 120 }, (_, i) => ({ endpointId: ep.id, ts: old + i * 1000, values: { gen_tps: i } })));
    await api.runRetention();
    const raw = api.history({ endpointId: ep.id, keys: ['gen_tps'], from: old, to: old + 120_000, points: 1000 });
    expect(raw.tier).not.toBe('raw');
  });
});
