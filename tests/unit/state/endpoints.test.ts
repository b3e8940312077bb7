import { describe, expect, it, vi } from 'vitest';
import { createApi } from '../../../src/worker/api';
import { createCollector } from '../../../src/collect/collector';
import { startStandIn } from '../../fixtures/llama-stand-in.mjs';
import type { EndpointStatus } from '../../../src/lib/types';
import { EndpointsState, nameFromUrl, normaliseBaseUrl } from '../../../src/state/endpoints.svelte';

async function connected() {
  const api = createApi({ storage: 'memory', retentionEveryMs: 0 });
  await api.init();
  const state = new EndpointsState();
  await state.connect(api);
  return { api, state };
}

describe('base URLs typed by a user', () => {
  it('get a scheme, lose the trailing slash, keep a path prefix', () => {
    expect(normaliseBaseUrl(' 127.0.0.1:8080/ ')).toBe('http://127.0.0.1:8080');
    expect(normaliseBaseUrl('https://Example.org/llama/')).toBe('https://example.org/llama');
    expect(nameFromUrl('http://127.0.0.1:8080')).toBe('127.0.0.1:8080');
  });
  it('are refused when not http(s) or when they carry credentials', () => {
    expect(normaliseBaseUrl('')).toBeNull();
    expect(normaliseBaseUrl('ftp://host')).toBeNull();
    expect(normaliseBaseUrl('http://user:pw@host:8080')).toBeNull();
    expect(normaliseBaseUrl('http://exa mple')).toBeNull();
  });
});

describe('EndpointsState', () => {
  it('adds the endpoints named in ?server= and ?exporter= once, with a 1 s interval', async () => {
    const { api, state } = await connected();
    const search = '?server=127.0.0.1:8080&server=http://127.0.0.1:8081/&exporter=http://127.0.0.1:9100&server=nope://x';
    const ids = await state.addFromQuery(search);
    expect(ids).toHaveLength(3);
    expect(state.error).toContain('?server=nope://x');
    expect(await state.addFromQuery(search)).toEqual(ids);
    const list = api.listEndpoints();
    expect(list.map((e) => [e.kind, e.url, e.name, e.intervalMs, e.enabled])).toEqual([
      ['llama', 'http://127.0.0.1:8080', '127.0.0.1:8080', 1000, true],
      ['llama', 'http://127.0.0.1:8081', '127.0.0.1:8081', 1000, true],
      ['exporter', 'http://127.0.0.1:9100', '127.0.0.1:9100', 1000, true],
    ]);
    expect(state.llama.map((e) => e.id)).toEqual(ids.slice(0, 2));
    expect(state.exporters.map((e) => e.id)).toEqual([ids[2]]);
  });

  it('marks endpoints a link added until kept, and gives them no key of an endpoint already in the list', async () => {
    const { api, state } = await connected();
    const own = await state.add({ kind: 'llama', name: 'mine', url: 'http://127.0.0.1:8080/v1', apiKey: 'sk-mine', intervalMs: 1000, enabled: true });
    await state.add({ kind: 'exporter', name: 'gpu', url: 'http://127.0.0.1:9100', apiKey: 'tok-exp', intervalMs: 1000, enabled: true });
    // ?server= values come first, then ?exporter=, whatever their order in the address.
    const [linked, known, linkedExp] = await state.addFromQuery('?server=http://127.0.0.1:8080&exporter=http://127.0.0.1:9101&server=http://127.0.0.1:8080/v1');
    expect(known).toBe(own!.id);
    const byId = (id: number) => api.listEndpoints().find((e) => e.id === id)!;
    expect([byId(linked).fromLink, byId(linked).apiKey, byId(linkedExp).fromLink, byId(linkedExp).apiKey]).toEqual([true, null, true, null]);
    expect([byId(own!.id).fromLink, byId(own!.id).apiKey]).toEqual([false, 'sk-mine']);
    await state.keepFromLink(linked);
    expect(state.list.find((e) => e.id === linked)!.fromLink).toBe(false);
    expect(byId(linkedExp).fromLink).toBe(true);
  });

  it('adds a Prometheus server named by ?prometheus=, marked as added by a link, without credentials', async () => {
    const { api, state } = await connected();
    const [, p] = await state.addFromQuery('?prometheus=prom.lan:9090/&server=http://127.0.0.1:8080');
    const ep = api.listEndpoints().find((e) => e.id === p)!;
    expect([ep.kind, ep.url, ep.fromLink, ep.apiKey]).toEqual(['prometheus', 'http://prom.lan:9090', true, null]);
    expect(state.prometheus.map((e) => e.id)).toEqual([p]);
    expect(state.llama).toHaveLength(1);
    expect(await state.addFromQuery('?prometheus=http://prom.lan:9090')).toEqual([p]);
  });

  it('edits, disables and removes, and says why a change was refused', async () => {
    const { state } = await connected();
    const [a, b] = await state.addFromQuery('?server=http://127.0.0.1:8080&server=http://127.0.0.1:8081');
    await state.update(a, { name: 'main box', apiKey: 'k' });
    await state.setEnabled(b, false);
    expect(state.list.map((e) => [e.name, e.apiKey, e.enabled])).toEqual([['main box', 'k', true], ['127.0.0.1:8081', null, false]]);
    await state.update(b, { url: 'http://127.0.0.1:8080' });
    expect(state.error).toMatch(/already in the list/);
    await state.remove(a);
    expect(state.list.map((e) => e.id)).toEqual([b]);
    expect(state.error).toBeNull();
  });

  it('marks a router model pending until the collector reports it settled, and clears it on failure', async () => {
    const { state } = await connected();
    const [id] = await state.addFromQuery('?server=http://127.0.0.1:8080');
    const status = (s: 'loading' | 'loaded'): EndpointStatus => ({
      endpointId: id, state: 'ok', message: null, lastOkAt: 1, lastErrorAt: null, info: {}, isRouter: true,
      routerModels: [{ id: 'tiny', state: s, progress: s === 'loading' ? 0.5 : null }],
    });
    // No collector runs in this test, so the request itself fails and the mark must not stick.
    await state.loadModel(id, 'tiny');
    expect(state.pending(id, 'tiny')).toBeUndefined();
    expect(state.error).toMatch(/Polling is not running/);

    state.applyStatus(status('loading'));
    expect(state.status(id)?.routerModels[0].progress).toBe(0.5);
  });

  it('holds pushed statuses while the tab is hidden and applies the newest of each at once when it shows', async () => {
    const { state } = await connected();
    const [a, b] = await state.addFromQuery('?server=http://127.0.0.1:8080&server=http://127.0.0.1:8081');
    const status = (endpointId: number, lastOkAt: number): EndpointStatus => ({
      endpointId, state: 'ok', message: null, lastOkAt, lastErrorAt: null, info: {}, isRouter: false, routerModels: [],
    });
    state.applyStatus(status(a, 1));
    state.setHidden(true);
    state.applyStatus(status(a, 2));
    state.applyStatus(status(a, 3));
    state.applyStatus(status(b, 3));
    expect(state.status(a)?.lastOkAt).toBe(1);
    expect(state.status(b)).toBeUndefined();
    state.setHidden(false);
    expect([state.status(a)?.lastOkAt, state.status(b)?.lastOkAt]).toEqual([3, 3]);
    state.applyStatus(status(b, 4));
    expect(state.status(b)?.lastOkAt).toBe(4);
  });

  it('reads every status when the tab shows, since the worker sends a hidden tab none', async () => {
    const { api, state } = await connected();
    const [a] = await state.addFromQuery('?server=http://127.0.0.1:8080');
    const newest: EndpointStatus = { endpointId: a, state: 'down', message: 'gone', lastOkAt: 1, lastErrorAt: 9, info: {}, isRouter: false, routerModels: [] };
    const statuses = vi.spyOn(api, 'endpointStatuses').mockReturnValue([newest]);
    state.setHidden(true);
    state.setHidden(false);
    await vi.waitFor(() => expect(state.status(a)?.state).toBe('down'));
    expect(statuses).toHaveBeenCalled();
  });

  it('follows a real load on a router (collector polling the stand-in) until the model is loaded', async () => {
    const server = await startStandIn({ port: 18252, router: true, traffic: 'idle', loadMs: 600 });
    const api = createApi({ storage: 'memory', retentionEveryMs: 0, collector: createCollector });
    try {
      await api.init();
      const state = new EndpointsState();
      api.subscribe((ev) => {
        if (ev.type === 'status') state.applyStatus(ev.status);
      });
      await state.connect(api);
      const [id] = await state.addFromQuery(`?server=${server.url}`);
      await vi.waitFor(() => expect(state.status(id)?.routerModels.map((m) => m.id)).toContain('tiny'), { timeout: 10_000 });
      const load = state.loadModel(id, 'tiny');
      expect(state.pending(id, 'tiny')).toBe('load');
      await load;
      await vi.waitFor(() => expect(state.status(id)?.routerModels.find((m) => m.id === 'tiny')?.state).toBe('loaded'), { timeout: 10_000 });
      expect(state.pending(id, 'tiny')).toBeUndefined();
      expect(state.error).toBeNull();
    } finally {
      // Removing the endpoint stops its poller, so nothing keeps polling after the test.
      if (api.status().state === 'ready') for (const e of api.listEndpoints()) api.removeEndpoint(e.id);
      await server.close();
    }
  });
});
