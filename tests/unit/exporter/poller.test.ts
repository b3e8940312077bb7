import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExporterPoller, exporterPollerKind } from '../../../src/collect/exporter-poller';
import type { Endpoint, EndpointStatus, SampleFrame, SeriesEvent } from '../../../src/lib/types';
import { buildExporter, startExporter, waitFor, type Running } from './harness';

// The dashboard's poller against the real exporter process (stand-in nvidia-smi on PATH).
let exporter: Running;
let secured: Running;
beforeAll(async () => {
  const file = buildExporter();
  [exporter, secured] = await Promise.all([
    startExporter(file, 18220, ['--interval', '250ms'], { control: { mode: 'ok', gpus: 2, util: 55 } }),
    startExporter(file, 18221, ['--interval', '250ms', '--nvidia-smi', 'off'], { env: { LLAMADASH_EXPORTER_TOKEN: 'tok' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([exporter?.stop(), secured?.stop()]);
});

type HarnessOptions = {
  apiKey?: string; offline?: () => boolean; clockMs?: number; lastStoredTs?: (id: number) => number | null;
  /** Answers a request instead of the exporter when it returns a response. */
  answer?: (url: string) => Response | null;
};

const pollers: ExporterPoller[] = [];
afterEach(() => {
  for (const p of pollers.splice(0)) p.stop();
});

function harness(base: string, opts: HarnessOptions = {}) {
  const frames: SampleFrame[] = [];
  const events: SeriesEvent[] = [];
  const statuses: EndpointStatus[] = [];
  const requested: string[] = [];
  const endpoint: Endpoint = { id: 7, kind: 'exporter', name: 'gpu box', url: base, apiKey: opts.apiKey ?? null, intervalMs: 250, enabled: true, createdAt: 0, fromLink: false };
  const open = new Set<AbortController>();
  const fetchVia: typeof fetch = (input, init) => {
    requested.push(String(input));
    if (opts.offline?.()) return Promise.reject(new TypeError('Failed to fetch'));
    const answered = opts.answer?.(String(input));
    if (answered) return Promise.resolve(answered);
    const conn = new AbortController();
    open.add(conn);
    return fetch(input, { ...init, signal: AbortSignal.any([conn.signal, ...(init?.signal ? [init.signal] : [])]) });
  };
  /** The network goes: every connection still open (the snapshot stream) breaks, as in a real outage. */
  const dropConnections = () => {
    for (const c of open) c.abort();
    open.clear();
  };
  const poller = new ExporterPoller({
    endpoint, fetch: fetchVia, now: () => Date.now() + (opts.clockMs ?? 0), page: { protocol: null, origin: null },
    saveFrames: (f, e = []) => { frames.push(...f); events.push(...e); },
    onStatus: (s) => statuses.push(s),
    lastStoredTs: opts.lastStoredTs,
  });
  pollers.push(poller);
  const count = (path: string) => requested.filter((u) => new URL(u).pathname === path).length;
  return { poller, frames, events, statuses, endpoint, requested, count, dropConnections };
}

const historySince = (urls: string[]) => urls.filter((u) => u.includes('/api/v1/history')).map((u) => new URL(u).searchParams.get('since'));

describe('ExporterPoller', () => {
  it('fills the exporter\'s history on connect, then stores one frame per new sample', async () => {
    await waitFor(async () => (await exporter.json('/api/v1/history?since=0')).ts.length >= 4, 10_000, () => 'some history');
    const h = harness(exporter.base);
    await h.poller.pollOnce();
    expect(h.frames.length).toBeGreaterThanOrEqual(4);
    const ts = h.frames.map((f) => f.ts);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(new Set(ts).size).toBe(ts.length);
    const last = h.frames.at(-1)!;
    expect(last.endpointId).toBe(7);
    expect(last.values).toMatchObject({ 'gpu_util{gpu="0"}': 55, 'gpu_util{gpu="1"}': 56, 'gpu_mem_total_bytes{gpu="1"}': 24576 * 1024 ** 2 });
    expect(last.values.mem_total_bytes).toBeGreaterThan(0);
    expect(last.values['disk_total_bytes{path="/"}']).toBeGreaterThan(0);
    expect(h.poller.status()).toMatchObject({ state: 'ok', message: null, info: {
      build: 'exporter 0.1.0', gpus: [{ id: '0', name: 'NVIDIA Stand-in 0', vendor: 'nvidia' }, { id: '1', name: 'NVIDIA Stand-in 1', vendor: 'nvidia' }] } });

    const before = h.frames.length;
    await new Promise((r) => setTimeout(r, 300));
    await h.poller.pollOnce();
    expect(h.frames.length).toBe(before + 1);
  });

  it('after a page load asks only for the history after the newest stored sample, and leaves no gap', async () => {
    await waitFor(async () => (await exporter.json('/api/v1/history?since=0')).ts.length >= 8, 10_000, () => 'some history');
    const ring: number[] = (await exporter.json('/api/v1/history?since=0')).ts;
    const stored = ring[ring.length - 4];
    const asked: number[] = [];
    const h = harness(exporter.base, { lastStoredTs: (id) => (asked.push(id), stored) });
    await h.poller.pollOnce();
    expect(asked).toEqual([7]);
    expect(historySince(h.requested)).toEqual([String(stored)]);
    const ts = h.frames.map((f) => f.ts);
    expect(Math.min(...ts)).toBeGreaterThan(stored);
    // The sample right after the stored one comes back, so the chart line continues without a hole.
    expect(ts[0]).toBe(ring[ring.length - 3]);
    expect(ts.length).toBeLessThan(ring.length - 4);

    // Nothing stored yet for this endpoint: the whole ring is asked for, as before.
    const fresh = harness(exporter.base, { lastStoredTs: () => null });
    await fresh.poller.pollOnce();
    expect(historySince(fresh.requested)).toEqual(['0']);
    expect(fresh.frames.length).toBeGreaterThanOrEqual(ring.length);
  });

  it('asks in the exporter\'s own time when its clock is off (stored samples carry the shift)', async () => {
    await waitFor(async () => (await exporter.json('/api/v1/history?since=0')).ts.length >= 8, 10_000, () => 'some history');
    const ring: number[] = (await exporter.json('/api/v1/history?since=0')).ts;
    const stored = ring[ring.length - 4];
    const h = harness(exporter.base, { clockMs: 120_000, lastStoredTs: () => stored + 120_000 });
    await h.poller.pollOnce();
    const since = Number(historySince(h.requested)[0]);
    // The shift is measured per connect, so it is off by the request's latency, not by minutes.
    expect(Math.abs(since - stored)).toBeLessThan(2000);
    expect(h.frames.length).toBeLessThan(ring.length - 4 + 20);
  });

  it('after an outage, says why, then fills the gap from history and marks down/up', async () => {
    let offline = false;
    const h = harness(exporter.base, { offline: () => offline });
    await h.poller.pollOnce();
    const lastBefore = h.frames.at(-1)!.ts;
    offline = true;
    h.dropConnections();
    const stored = h.frames.length;
    await h.poller.pollOnce();
    expect(h.poller.status().state).toBe('down');
    expect(h.poller.status().message).toMatch(/Cannot reach the exporter at 127\.0\.0\.1:18220/);
    // Nothing is stored while it is unreachable: no placeholder rows to split the backfilled lines.
    expect(h.frames.length).toBe(stored);
    await new Promise((r) => setTimeout(r, 2000));
    offline = false;
    await h.poller.pollOnce();
    const after = h.frames.filter((f) => f.ts > lastBefore).map((f) => f.ts);
    expect(h.frames.every((f) => typeof f.values.cpu_util !== 'undefined')).toBe(true);
    // 2 s at 250 ms: about 8 samples came back from history, with no hole wider than a few intervals.
    expect(after.length).toBeGreaterThanOrEqual(6);
    const holes = after.slice(1).map((t, i) => t - after[i]);
    expect(Math.max(...holes)).toBeLessThan(1000);
    expect(h.events.map((e) => e.kind)).toEqual(['down', 'up']);
    expect(h.poller.status().state).toBe('ok');
  });

  it('shifts samples of an exporter whose clock is off onto this computer\'s time, and says so', async () => {
    const h = harness(exporter.base, { clockMs: 120_000 });
    await h.poller.pollOnce();
    const snap = await exporter.json('/api/v1/snapshot');
    expect(Math.abs(h.frames.at(-1)!.ts - (snap.ts + 120_000))).toBeLessThan(2000);
    expect(h.poller.status().message).toMatch(/clock is 12\d s behind/);
    const inSync = harness(exporter.base);
    await inSync.poller.pollOnce();
    expect(inSync.poller.status().message).toBeNull();
  });

  it('explains a missing or wrong token, and works with the right one', async () => {
    const none = harness(secured.base);
    await none.poller.pollOnce();
    expect(none.poller.status()).toMatchObject({ state: 'error' });
    expect(none.poller.status().message).toMatch(/needs a token \(401\).*LLAMADASH_EXPORTER_TOKEN/);
    const wrong = harness(secured.base, { apiKey: 'nope' });
    await wrong.poller.pollOnce();
    expect(wrong.poller.status().message).toMatch(/refused the token/);
    const right = harness(secured.base, { apiKey: 'tok' });
    await right.poller.pollOnce();
    expect(right.poller.status().state).toBe('ok');
    expect(right.frames.at(-1)!.values).not.toHaveProperty('gpu_util{gpu="0"}');
  });

  it('tests a connection without storing anything', async () => {
    const h = harness(exporter.base);
    const status = await exporterPollerKind.probe({
      endpoint: h.endpoint, fetch, now: Date.now, page: { protocol: null, origin: null },
      saveFrames: () => { throw new Error('a probe must not store'); }, onStatus: () => undefined,
    });
    expect(status.state).toBe('ok');
    expect(status.info.hostname).toBeTruthy();
  });

  it('refuses JSON that is not a snapshot, saying so', async () => {
    // The request lands on /healthz, whose JSON has no snapshot version.
    const h = harness(`${exporter.base}/healthz?`);
    await h.poller.pollOnce();
    expect(h.poller.status()).toMatchObject({ state: 'error' });
    expect(h.poller.status().message).toMatch(/snapshot version undefined is not supported/);
  });
});

describe('ExporterPoller on the snapshot stream', () => {
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** `n` ticks a little over one 250 ms sample apart. */
  const ticks = async (h: ReturnType<typeof harness>, n: number) => {
    for (let i = 0; i < n; i++) {
      await pause(260);
      await h.poller.pollOnce();
    }
  };
  /** A first tick, then the stream it opens, with a line or two come in. */
  const streaming = async (h: ReturnType<typeof harness>) => {
    await h.poller.pollOnce();
    await waitFor(() => h.count('/api/v1/stream') === 1, 5000, () => 'the stream to be opened');
    await pause(400);
  };

  it('after the first snapshot reads the stream: later ticks store each new sample without a request', async () => {
    const h = harness(exporter.base);
    await streaming(h);
    expect(h.count('/api/v1/snapshot')).toBe(1);
    expect(new URL(h.requested.find((u) => u.includes('/api/v1/stream'))!).searchParams.get('every')).toBe('250');
    const asked = h.requested.length;
    const before = h.frames.length;
    await ticks(h, 4);
    expect(h.requested.length).toBe(asked);
    expect(h.frames.length).toBeGreaterThanOrEqual(before + 3);
    const ts = h.frames.map((f) => f.ts);
    expect(new Set(ts).size).toBe(ts.length);
    expect(h.poller.status().state).toBe('ok');
  });

  it('asks again at once when the stream is cut, and leaves it closed for a while', async () => {
    const h = harness(exporter.base);
    await streaming(h);
    h.dropConnections();
    await pause(50);
    const before = h.frames.length;
    await ticks(h, 3);
    expect(h.count('/api/v1/snapshot')).toBe(4);
    expect(h.count('/api/v1/stream')).toBe(1);
    expect(h.frames.length).toBeGreaterThanOrEqual(before + 2);
    expect(h.poller.status().state).toBe('ok');
  });

  it('keeps asking an exporter without a stream (older than this dashboard), trying the stream once', async () => {
    const h = harness(exporter.base, { answer: (url) => (url.includes('/api/v1/stream') ? Response.json({ error: 'no such endpoint: /api/v1/stream' }, { status: 404 }) : null) });
    await h.poller.pollOnce();
    const before = h.frames.length;
    await ticks(h, 4);
    expect(h.count('/api/v1/snapshot')).toBe(5);
    expect(h.count('/api/v1/stream')).toBe(1);
    expect(h.frames.length).toBeGreaterThanOrEqual(before + 3);
    expect(h.poller.status()).toMatchObject({ state: 'ok', message: null });
  });

  it('a connection test opens no stream', async () => {
    const h = harness(exporter.base);
    await h.poller.pollOnce(false);
    await pause(300);
    expect(h.count('/api/v1/stream')).toBe(0);
  });
});
