import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HOT_MAX_ROWS, HotWindow } from '../../../src/worker/hot-window';
import { createApi } from '../../../src/worker/api';
import { queryHistory, saveFrames } from '../../../src/db/metrics';
import { addEndpoint } from '../../../src/db/endpoints';
import type { EndpointInput, HistoryQuery, SampleFrame } from '../../../src/lib/types';
import { freshDb, openImage } from '../db/helpers';
import type { DB } from '../../../src/db/sql';

const llama: EndpointInput = { kind: 'llama', name: 'box', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true };
const NOW = 1_800_000_000_000;
const MIN = 60_000;

/** Ticks of one endpoint every `stepMs` in [from, to]: a layout change half way, gaps and nulls. */
function ticks(endpointId: number, from: number, to: number, stepMs = 1000, seed = 1): SampleFrame[] {
  const out: SampleFrame[] = [];
  for (let ts = from, i = 0; ts <= to; ts += stepMs, i++) {
    if (i % 97 > 90) continue; // a short outage now and then: the chart must show the gap
    const values: Record<string, number | null> = { 'tokens_per_s': (i * seed) % 37, 'kv_used': i % 13 === 0 ? null : i * 0.5 };
    if (ts > (from + to) / 2) values['gpu.0.util'] = (i * 7) % 100;
    out.push({ endpointId, ts, values });
  }
  return out;
}

const keys = ['tokens_per_s', 'kv_used', 'gpu.0.util', 'never.stored'];
const view = (endpointId: number, spanMs: number, points = 600, to = NOW): HistoryQuery => ({ endpointId, keys, from: to - spanMs, to, points });

async function dbWithHour(): Promise<{ db: DB; id: number }> {
  const db = await freshDb();
  const id = addEndpoint(db, llama).id;
  saveFrames(db, ticks(id, NOW - 70 * MIN, NOW));
  return { db, id };
}

/** A database image opened on its own, to ask SQLite what the worker's answer should be. */
async function reference(image: Uint8Array): Promise<DB> {
  const db = await openImage(image);
  return db;
}

describe('hot window', () => {
  it('answers the live views exactly as queryHistory does', async () => {
    const { db, id } = await dbWithHour();
    const hot = new HotWindow();
    for (const q of [view(id, 10 * MIN), view(id, 10 * MIN, 120), view(id, 60 * MIN, 1000), view(id, 5 * MIN, 600, NOW - 30 * MIN)]) {
      const fromMemory = hot.query(db, q, NOW);
      expect(fromMemory).not.toBeNull();
      expect(fromMemory).toEqual(queryHistory(db, q));
    }
  });

  it('leaves to SQLite what it cannot answer the same way', async () => {
    const { db, id } = await dbWithHour();
    const hot = new HotWindow();
    // An hour of 1 s ticks at 600 points is read from the minute rollups by queryHistory; 6 h is older than the window.
    expect(hot.query(db, view(id, 60 * MIN, 600), NOW)).toBeNull();
    expect(hot.query(db, view(id, 6 * 60 * MIN), NOW)).toBeNull();
  });

  it('stays equal while stored ticks are appended, a same-time tick replacing the earlier one', async () => {
    const { db, id } = await dbWithHour();
    const hot = new HotWindow();
    hot.query(db, view(id, 10 * MIN), NOW);
    const later = ticks(id, NOW + 1000, NOW + 3 * MIN, 1000, 3);
    later.push({ endpointId: id, ts: NOW + 3 * MIN, values: { tokens_per_s: 99, extra: 1 } });
    saveFrames(db, later);
    hot.append(later);
    const q = { ...view(id, 10 * MIN, 600, NOW + 3 * MIN), keys: [...keys, 'extra'] };
    expect(hot.query(db, q, NOW + 3 * MIN)).toEqual(queryHistory(db, q));
  });

  it('an out-of-order tick makes it read the endpoint again', async () => {
    const { db, id } = await dbWithHour();
    const hot = new HotWindow();
    hot.query(db, view(id, 10 * MIN), NOW);
    const old = [{ endpointId: id, ts: NOW - 5 * MIN + 500, values: { tokens_per_s: 1234 } }];
    saveFrames(db, old);
    hot.append(old);
    expect(hot.query(db, view(id, 10 * MIN), NOW)).toEqual(queryHistory(db, view(id, 10 * MIN)));
  });

  it('stays bounded under fast ticks and still answers the 10-minute view exactly', async () => {
    const db = await freshDb();
    const id = addEndpoint(db, llama).id;
    const hot = new HotWindow();
    saveFrames(db, ticks(id, NOW - 2 * MIN, NOW, 250));
    hot.query(db, view(id, 10 * MIN), NOW);
    const end = NOW + 40 * MIN;
    for (let t = NOW + 250; t <= end; t += 60_000) {
      const batch = ticks(id, t, Math.min(t + 59_750, end), 250);
      saveFrames(db, batch);
      hot.append(batch);
    }
    const bytes = hot.bytes().get(id)!;
    expect(bytes).toBeLessThanOrEqual(8 * HOT_MAX_ROWS * (1 + 3));
    const q = view(id, 10 * MIN, 2000, end);
    const fromMemory = hot.query(db, q, end);
    expect(fromMemory).not.toBeNull();
    expect(fromMemory).toEqual(queryHistory(db, q));
  });

  it('fills an endpoint only after its first query has been answered, and never across an invalidate', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { db, id } = await dbWithHour();
      const hot = new HotWindow();
      hot.warm(() => db, id, () => NOW);
      expect(hot.holds(id)).toBe(false);
      vi.advanceTimersByTime(1000);
      expect(hot.holds(id)).toBe(true);
      expect(hot.query(db, view(id, 10 * MIN), NOW)).toEqual(queryHistory(db, view(id, 10 * MIN)));

      // The history changed under a planned fill (an import, a clear): that fill is dropped.
      hot.invalidate([id]);
      hot.warm(() => db, id, () => NOW);
      hot.invalidate();
      vi.advanceTimersByTime(1000);
      expect(hot.holds(id)).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('hot window in the worker API', () => {
  // The API answers an endpoint's first view from SQLite and fills its window a second later: each
  // ask lets that second pass, so the asks after it are answered from the window.
  beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true }); });
  afterEach(() => { vi.useRealTimers(); });
  const ask = (api: ReturnType<typeof createApi>, q: HistoryQuery) => {
    const r = api.history(q);
    vi.advanceTimersByTime(1000);
    return r;
  };
  async function apiWithHour(now = () => NOW) {
    const api = createApi({ storage: 'memory', retentionEveryMs: 0, now });
    await api.init();
    const id = api.addEndpoint(llama).id;
    api.saveFrames(ticks(id, NOW - 70 * MIN, NOW));
    return { api, id };
  }

  it('is rebuilt after a clear', async () => {
    const { api, id } = await apiWithHour();
    expect(ask(api, view(id, 10 * MIN)).ts.length).toBeGreaterThan(0);
    api.clearMetrics();
    expect(ask(api, view(id, 10 * MIN)).ts).toEqual([]);
    api.saveFrames(ticks(id, NOW - MIN, NOW, 1000, 5));
    expect(ask(api, view(id, 10 * MIN))).toEqual(queryHistory(await reference(api.exportDatabase()), view(id, 10 * MIN)));
  });

  it('is rebuilt after an import', async () => {
    const { api, id } = await apiWithHour();
    const other = createApi({ storage: 'memory', retentionEveryMs: 0, now: () => NOW });
    await other.init();
    const otherId = other.addEndpoint(llama).id;
    expect(otherId).toBe(id);
    other.saveFrames(ticks(otherId, NOW - 20 * MIN, NOW, 1000, 11));
    const image = other.exportDatabase();
    const before = ask(api, view(id, 10 * MIN));
    expect(api.importDatabase(image.slice()).ok).toBe(true);
    const after = ask(api, view(id, 10 * MIN));
    expect(after).not.toEqual(before);
    expect(after).toEqual(queryHistory(await reference(image), view(id, 10 * MIN)));
  });

  it('is rebuilt after a retention change prunes raw samples', async () => {
    const { api, id } = await apiWithHour();
    const q = view(id, 60 * MIN, 1000);
    expect(ask(api, q).tier).toBe('raw');
    await api.setRetention({ ...api.getRetention(), rawMs: 10 * MIN });
    const after = ask(api, q);
    expect(after.tier).toBe('1m');
    expect(after).toEqual(queryHistory(await reference(api.exportDatabase()), q));
  });
});
