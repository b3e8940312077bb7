import { describe, expect, it } from 'vitest';
import type { Collector } from '../../../src/collect/collector';
import type { DbEvent, EndpointInput } from '../../../src/lib/types';
import { createApi } from '../../../src/worker/api';
import { createSession } from '../../../src/worker/session';
import { createSurface } from '../../../src/worker/surface';

const llama: EndpointInput = { kind: 'llama', name: 'box', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true };

describe('the surface the page calls', () => {
  it('sends a tick (status changes, then the stored frames with their values and events) as one message', async () => {
    const api = createApi({
      storage: 'memory',
      retentionEveryMs: 0,
      collector: (deps): Collector => ({
        // Reports each endpoint's status as a poller does on every tick.
        sync: () => {
          for (const ep of deps.listEndpoints()) {
            deps.emit({ type: 'status', status: { endpointId: ep.id, state: 'ok', message: null, lastOkAt: 1, lastErrorAt: null, info: {}, isRouter: false, routerModels: [] } });
          }
        },
        stop: () => {},
        statuses: () => [],
        testConnection: async () => { throw new Error('not here'); },
        loadModel: async () => {},
        unloadModel: async () => {},
      }),
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
    try {
      const ep = await surface.addEndpoint(llama);
      await surface.saveFrames([{ endpointId: ep.id, ts: 5000, values: { gen_tps: 12, other: Number.NaN } }], [{ endpointId: ep.id, ts: 5000, kind: 'restart' }]);
      await new Promise((r) => setTimeout(r, 50));
      expect(messages).toHaveLength(1);
      expect(messages[0].map((e) => e.type)).toEqual(['status', 'endpoints', 'frames']);
      expect(messages[0][2]).toMatchObject({
        endpointIds: [ep.id],
        latest: [{ endpointId: ep.id, ts: 5000, values: { gen_tps: 12, other: null } }],
        events: [{ endpointId: ep.id, ts: 5000, kind: 'restart' }],
      });
    } finally {
      port1.close();
      api.close();
    }
  });
});
