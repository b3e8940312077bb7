import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Comlink from 'comlink';
import { createApi } from '../../../src/worker/api';
import { createSession } from '../../../src/worker/session';
import { createSurface, type DbApi } from '../../../src/worker/surface';
import { HISTORY_WIRE, historyTransfer, type PackedHistory } from '../../../src/lib/history-wire';
import type { EndpointInput, SampleFrame } from '../../../src/lib/types';

const llama: EndpointInput = { kind: 'llama', name: 'box', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true };

afterEach(() => {
  Comlink.transferHandlers.delete(HISTORY_WIRE);
  vi.restoreAllMocks();
});

describe('chart answers from the worker to the page', () => {
  it('are transferred, not copied, and the worker\'s hot window keeps its own columns', async () => {
    const api = createApi({ storage: 'memory', retentionEveryMs: 0 });
    const session = createSession({ env: { tabId: 't', locks: null, channel: () => { throw new Error('unused'); }, every: () => () => {}, now: Date.now }, api });
    const { port1, port2 } = new MessageChannel();
    // The worker's side and the page's (one thread here, so one registry serves both).
    Comlink.transferHandlers.set(HISTORY_WIRE, historyTransfer as Comlink.TransferHandler<unknown, unknown>);
    Comlink.expose(createSurface(session, api), port1);
    const page = Comlink.wrap<DbApi>(port2);
    const sent: PackedHistory[] = [];
    const serialize = historyTransfer.serialize;
    vi.spyOn(historyTransfer, 'serialize').mockImplementation((r) => {
      const out = serialize(r);
      sent.push(out[0]);
      return out;
    });
    try {
      await page.init();
      const ep = await page.addEndpoint(llama);
      const now = Date.now();
      const frames: SampleFrame[] = [];
      for (let s = 600; s > 0; s--) frames.push({ endpointId: ep.id, ts: now - s * 1000, values: { gen_tps: s % 7, up: s % 11 === 0 ? Number.NaN : 1 } });
      await page.saveFrames(frames);
      const q = { endpointId: ep.id, keys: ['gen_tps', 'up'], from: now - 600_000, to: now, points: 1000 };
      const first = await page.history(q);
      const second = await page.history(q);
      // What the page gets is what the worker answers in-thread, twice: the hot window was not emptied by the first transfer.
      expect(first).toEqual(api.history(q));
      expect(second).toEqual(first);
      expect(first.tier).toBe('raw');
      expect(first.ts).toHaveLength(600);
      expect(first.values.up.filter((v) => v === null).length).toBeGreaterThan(0);
      // Each buffer went to the page: the worker's copy is detached.
      expect(sent).toHaveLength(2);
      for (const p of sent) expect(p.data.byteLength).toBe(0);
    } finally {
      port1.close();
      port2.close();
      api.close();
    }
  });
});
