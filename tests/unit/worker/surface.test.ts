import { describe, expect, it } from 'vitest';
import type { Collector, CollectorDeps } from '../../../src/collect/collector';
import type { DbEvent, EndpointInput } from '../../../src/lib/types';
import { createApi } from '../../../src/worker/api';
import { createSession } from '../../../src/worker/session';
import { createSurface } from '../../../src/worker/surface';

const llama: EndpointInput = { kind: 'llama', name: 'box', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true };

describe('the surface the page calls', () => {
  it('sends a tick (status changes, then the stored frames with their values and events) as one message, a change the user made at once, and a hidden page no ticks', async () => {
    let deps!: CollectorDeps;
    /** Reports each endpoint's status as a poller does on every tick. */
    const statusOfEach = () => {
      for (const ep of deps.listEndpoints()) {
        deps.emit({ type: 'status', status: { endpointId: ep.id, state: 'ok', message: null, lastOkAt: 1, lastErrorAt: null, info: {}, isRouter: false, routerModels: [] } });
      }
    };
    const api = createApi({
      storage: 'memory',
      retentionEveryMs: 0,
      collector: (d): Collector => {
        deps = d;
        return {
          sync: statusOfEach,
          stop: () => {},
          statuses: () => [], shortestIntervalMs: () => 400,
          testConnection: async () => { throw new Error('not here'); },
          loadModel: async () => {},
          unloadModel: async () => {},
        };
      },
    });
    const session = createSession({
      env: { tabId: 't', locks: null, channel: () => { throw new Error('no channels without locks'); }, every: () => () => {}, now: Date.now },
      api,
    });
    const surface = createSurface(session, api);
    expect(await surface.init()).toMatchObject({ state: 'ready', role: 'owner' });
    const { port1, port2 } = new MessageChannel();
    const messages: DbEvent[][] = [];
    port1.onmessage = (e: MessageEvent<DbEvent[]>) => messages.push(e.data);
    surface.subscribe(port2);
    const settle = () => new Promise((r) => setTimeout(r, 50));
    try {
      const ep = await surface.addEndpoint(llama);
      await settle();
      // The new endpoint's first status goes with the change, without waiting for a tick.
      expect(messages.map((m) => m.map((e) => e.type))).toEqual([['status', 'endpoints']]);
      statusOfEach();
      await surface.saveFrames([{ endpointId: ep.id, ts: 5000, values: { gen_tps: 12, other: Number.NaN } }], [{ endpointId: ep.id, ts: 5000, kind: 'restart' }]);
      await settle();
      expect(messages).toHaveLength(2);
      expect(messages[1].map((e) => e.type)).toEqual(['status', 'frames']);
      expect(messages[1][1]).toMatchObject({
        endpointIds: [ep.id],
        latest: [{ endpointId: ep.id, ts: 5000, values: { gen_tps: 12, other: null } }],
        events: [{ endpointId: ep.id, ts: 5000, kind: 'restart' }],
      });

      // A hidden page is sent no ticks and no statuses; a change the user made still reaches it.
      surface.setPageHidden(true);
      statusOfEach();
      await surface.saveFrames([{ endpointId: ep.id, ts: 6000, values: { gen_tps: 13 } }]);
      await surface.updateEndpoint(ep.id, { ...llama, name: 'renamed' });
      await settle();
      expect(messages.slice(2).map((m) => m.map((e) => e.type))).toEqual([['endpoints']]);
      surface.setPageHidden(false);
      await surface.saveFrames([{ endpointId: ep.id, ts: 7000, values: { gen_tps: 14 } }]);
      await settle();
      expect(messages.at(-1)?.map((e) => e.type)).toEqual(['frames']);
    } finally {
      port1.close();
      api.close();
    }
  });
});
