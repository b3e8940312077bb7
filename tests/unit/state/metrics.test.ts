import { describe, expect, it, vi } from 'vitest';
import { createApi } from '../../../src/worker/api';
import type { DbEvent, SampleFrame, SeriesEvent } from '../../../src/lib/types';
import { MetricsState, type MetricsSource } from '../../../src/state/metrics.svelte';

const KEY = 'gen_tps';

async function setup(seconds: number) {
  const api = createApi({ storage: 'memory', retentionEveryMs: 0 });
  await api.init();
  const ep = api.addEndpoint({
    kind: 'llama', name: 'a', url: 'http://127.0.0.1:18259', apiKey: null, intervalMs: 1000, enabled: true,
  });
  const t0 = Date.now() - seconds * 1000;
  const frames: SampleFrame[] = Array.from({ length: seconds }, (_, i) => ({
    endpointId: ep.id, ts: t0 + i * 1000, values: { [KEY]: i, other: 1 },
  }));
  api.saveFrames(frames);
  const history = vi.fn((q: Parameters<typeof api.history>[0]) => api.history(q));
  const source: MetricsSource = { history, latest: (id) => api.latest(id), events: (id, f, t) => api.events(id, f, t) };
  const m = new MetricsState();
  m.connect(source);
  m.track(ep.id, [KEY]);
  await vi.waitFor(() => expect(m.data(ep.id)).toBeDefined());
  const announced: Extract<DbEvent, { type: 'frames' }>[] = [];
  api.subscribe((ev) => ev.type === 'frames' && announced.push(ev));
  /** Stores frames as the collector does and hands the state the event the worker announces them with. */
  const store = async (more: SampleFrame[], events?: SeriesEvent[]) => {
    api.saveFrames(more, events);
    await vi.waitFor(() => expect(announced.length).toBeGreaterThan(0));
    m.onFrames(announced.splice(0).at(-1)!);
  };
  return { api, ep, m, history, t0, store };
}

describe('MetricsState', () => {
  it('draws the stored range first, with values aligned to seconds', async () => {
    const { ep, m, t0 } = await setup(120);
    const d = m.data(ep.id)!;
    expect(d.ts).toHaveLength(120);
    expect(d.ts[0]).toBeCloseTo(t0 / 1000, 3);
    expect(d.values[KEY][0]).toBe(0);
    expect(d.values[KEY][119]).toBe(119);
    expect(d.values.other).toBeUndefined();
  });

  it('appends a new tick without re-querying the window', async () => {
    const { ep, m, history, store } = await setup(60);
    const calls = history.mock.calls.length;
    const ts = Date.now() + 1000;
    await store([{ endpointId: ep.id, ts, values: { [KEY]: 42 } }]);
    const d = m.data(ep.id)!;
    expect(d.ts).toHaveLength(61);
    expect(d.ts.at(-1)).toBeCloseTo(ts / 1000, 3);
    expect(d.values[KEY].at(-1)).toBe(42);
    expect(m.latest(ep.id)?.values[KEY]).toBe(42);
    expect(history.mock.calls.length).toBe(calls);
  });

  it('stands still while the tab is hidden and catches up at once when it shows', async () => {
    const { ep, m, history, store } = await setup(60);
    const shown = m.data(ep.id);
    m.setHidden(true);
    const calls = history.mock.calls.length;
    await store([{ endpointId: ep.id, ts: Date.now(), values: { [KEY]: 42 } }]);
    expect(m.data(ep.id)).toBe(shown);
    expect(history.mock.calls.length).toBe(calls);
    m.setHidden(false);
    await vi.waitFor(() => expect(m.data(ep.id)!.values[KEY].at(-1)).toBe(42));
    expect(m.latest(ep.id)?.values[KEY]).toBe(42);
  });

  it('reads the window again when the tab shows, though the worker sent a hidden tab no ticks', async () => {
    const { api, ep, m } = await setup(60);
    m.setHidden(true);
    api.saveFrames([{ endpointId: ep.id, ts: Date.now(), values: { [KEY]: 77 } }]);
    m.setHidden(false);
    await vi.waitFor(() => expect(m.data(ep.id)!.values[KEY].at(-1)).toBe(77));
  });

  it('re-queries once enough live points piled up, at the requested resolution', async () => {
    const { ep, m, history, store } = await setup(30);
    m.setPoints(100);
    await vi.waitFor(() => expect(history.mock.calls.at(-1)?.[0].points).toBe(100));
    const calls = history.mock.calls.length;
    const base = Date.now();
    for (let i = 1; i <= 26; i++) {
      await store([{ endpointId: ep.id, ts: base + i * 1000, values: { [KEY]: 1000 + i } }]);
    }
    expect(history.mock.calls.length).toBe(calls + 1);
  });

  it('keeps a custom window fixed while new ticks arrive, but still updates the latest values', async () => {
    const { ep, m, t0, store } = await setup(60);
    m.setRange({ kind: 'custom', from: t0, to: t0 + 30_000 });
    await vi.waitFor(() => expect(m.data(ep.id)!.ts.length).toBeLessThanOrEqual(31));
    const before = m.data(ep.id)!.ts.length;
    const ts = Date.now() + 1000;
    await store([{ endpointId: ep.id, ts, values: { [KEY]: 7 } }]);
    expect(m.data(ep.id)!.ts).toHaveLength(before);
    expect(m.latest(ep.id)?.values[KEY]).toBe(7);
    expect(m.window).toEqual({ from: t0, to: t0 + 30_000 });
  });

  it('shows restart markers stored with the frames, from the event that announces them', async () => {
    const { ep, m, store, history } = await setup(10);
    const calls = history.mock.calls.length;
    const ts = Date.now();
    await store([{ endpointId: ep.id, ts, values: { [KEY]: 1 } }], [{ endpointId: ep.id, ts, kind: 'restart' }]);
    expect(m.events(ep.id).map((e) => e.kind)).toEqual(['restart']);
    expect(m.latest(ep.id)?.values[KEY]).toBe(1);
    expect(history.mock.calls.length).toBe(calls);
  });

  it('moves the live window in whole seconds with the frames, once a second however many events come', async () => {
    const { ep, m } = await setup(30);
    const base = Math.ceil(Date.now() / 1000) * 1000 + 5000;
    // Frames events as the worker pushes them; with several endpoints there may be several per second.
    const tick = (ts: number, v: number) => m.onFrames({
      type: 'frames', endpointIds: [ep.id], ts, latest: [{ endpointId: ep.id, ts, values: { [KEY]: v } }], events: [],
    });
    tick(base + 100, 1);
    const moved = m.window;
    expect(moved.to).toBe(base + 1000);
    expect(m.data(ep.id)!.ts.at(-1)).toBe((base + 100) / 1000);
    // More samples in the same second and a clock tick right behind them: the window stays put, so
    // charts that got no new point are not redrawn for it.
    tick(base + 600, 2);
    m.tick(base + 900);
    expect(m.window).toEqual(moved);
    expect(m.data(ep.id)!.values[KEY].at(-1)).toBe(2);
    tick(base + 1100, 3);
    expect(m.window.to).toBe(base + 2000);
  });

  it('moves the live window with the clock when no frames come, so a silent endpoint shows its gap', async () => {
    const { m } = await setup(10);
    const later = Date.now() + 7_500;
    m.tick(later);
    expect(m.window.to).toBe(Math.ceil(later / 1000) * 1000);
  });

  it('starts over when the whole history changes (Settings → Clear metrics)', async () => {
    const { api, ep, m } = await setup(60);
    api.clearMetrics();
    await m.onHistoryReset();
    await vi.waitFor(() => expect(m.data(ep.id)?.ts).toHaveLength(0));
    expect(m.latest(ep.id)).toBeUndefined();
  });
});
