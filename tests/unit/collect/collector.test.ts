import { afterEach, describe, expect, it } from 'vitest';
import { endpoint, harness, sleep, standIn, waitFor, type StandIn } from './harness';
import { HEALTH } from '../../../src/lib/series-keys';

let server: StandIn | null = null;
let stopCollector: (() => void) | null = null;

afterEach(async () => {
  stopCollector?.();
  stopCollector = null;
  await server?.close();
  server = null;
});

async function setup(opts: Record<string, unknown> = {}, ep: Parameters<typeof endpoint>[1] = {}) {
  server = await standIn(opts);
  const h = harness([endpoint(server.url, ep)]);
  stopCollector = () => h.collector.stop();
  h.collector.sync();
  return h;
}

describe('collector against the stand-in llama-server', () => {
  it('polls /metrics every tick, /health and /slots once on connect, and neither while idle and clean', async () => {
    const h = await setup({ traffic: 'idle' });
    await waitFor(() => h.frames.length >= 6, 'six frames');
    const hits = server!.state().hits;
    expect(hits['GET /health']).toBe(1);
    expect(hits['GET /metrics']).toBeGreaterThanOrEqual(6);
    expect(hits['GET /slots']).toBe(1);
    const f = h.frames[h.frames.length - 1];
    expect(f.endpointId).toBe(1);
    expect(f.values['llamacpp:prompt_tokens_total']).toBe(0);
    expect(f.values.up).toBe(1);
    expect(f.values.health_state).toBe(HEALTH.ok);
    expect(f.values.slots_total).toBe(2);
    expect(h.last().state).toBe('ok');
    expect(h.last().info).toMatchObject({ model: 'tiny.gguf', build: 'b10573-d775b8967', totalSlots: 2 });
  });

  it('follows a long generation through /slots: live speed while the counters stay flat', async () => {
    const h = await setup({ traffic: 'idle' });
    await waitFor(() => h.frames.length >= 2, 'connect');
    server!.control({ generating: { tokens: 4000, ms: 20_000 } });
    const live = await waitFor(() => h.frames.find((f) => (f.values.gen_tps_live ?? 0) > 0), 'a live speed');
    expect(live.values.gen_tps_live).toBeGreaterThan(100);
    expect(live.values.gen_tps_live).toBeLessThan(400);
    expect(live.values['llamacpp:tokens_predicted_total']).toBe(0);
    expect(live.values.slots_busy).toBe(1);
    expect(live.values['slot_ctx_fill{slot="0"}']).toBeGreaterThan(0);
    expect(server!.state().hits['GET /slots']).toBeGreaterThan(2);
    server!.control({ generating: false });
    const done = await waitFor(() => h.frames.find((f) => (f.values.gen_tps ?? 0) > 0), 'the finished request');
    expect(done.values.gen_tps).toBeGreaterThan(100);
    expect(done.values.requests_finished).toBeGreaterThanOrEqual(1);
    const slotsAfter = server!.state().hits['GET /slots'];
    await sleep(500);
    expect(server!.state().hits['GET /slots']).toBe(slotsAfter);
  });

  it('derives throughput and requests per minute from steady traffic', async () => {
    const h = await setup({ traffic: 'steady' });
    await waitFor(() => h.frames.some((f) => (f.values.gen_tps ?? 0) > 0), 'a generation speed', 10_000);
    const withRate = await waitFor(() => h.frames.find((f) => (f.values.requests_per_min ?? 0) > 0), 'requests per minute');
    expect(withRate.values.requests_per_min).toBeGreaterThan(0);
    for (const f of h.frames) for (const k of ['gen_tps', 'prompt_tps', 'gen_tokens_rate']) expect(f.values[k] ?? 0).toBeGreaterThanOrEqual(0);
  });

  it('a restart (counters reset) is marked, with no negative rate', async () => {
    const h = await setup({ traffic: 'idle' });
    server!.control({ requests: 2 });
    await waitFor(() => h.frames.some((f) => (f.values['llamacpp:tokens_predicted_total'] ?? 0) > 0), 'finished requests');
    server!.control({ restart: true });
    await waitFor(() => h.events.find((e) => e.kind === 'restart'), 'a restart event');
    await sleep(300);
    for (const f of h.frames) for (const k of ['gen_tps', 'prompt_tps', 'gen_tokens_rate', 'prompt_tokens_rate']) expect(f.values[k] ?? 0).toBeGreaterThanOrEqual(0);
    expect(h.frames[h.frames.length - 1].values.uptime_s).toBeLessThan(1);
  });

  it('a poller started over a recent stored sample (a tab taking over) goes on from it; an old sample is left out', async () => {
    server = await standIn({ traffic: 'idle' });
    const url = server.url;
    const stored = (ageMs: number) => ({ ts: Date.now() - ageMs, values: { uptime_s: 500, 'llamacpp:tokens_predicted_total': 0, 'llamacpp:prompt_tokens_total': 0 } });
    for (const [ageMs, goesOn] of [[2000, true], [10 * 60_000, false]] as const) {
      const sample = stored(ageMs);
      const h = harness([endpoint(url)], { lastStored: () => sample, lastStoredTs: () => sample.ts });
      stopCollector = () => h.collector.stop();
      h.collector.sync();
      const first = await waitFor(() => h.frames.find((f) => f.values.uptime_s != null), 'a first sample');
      h.collector.stop();
      if (goesOn) expect(first.values.uptime_s).toBeGreaterThanOrEqual(502);
      else expect(first.values.uptime_s).toBe(0);
      expect(h.events.filter((e) => e.kind === 'restart')).toEqual([]);
    }
  });

  it('backs off while the server is down and recovers as soon as it is back', async () => {
    const h = await setup({ traffic: 'idle' });
    await waitFor(() => h.last()?.state === 'ok', 'ok');
    const port = server!.port;
    await server!.close();
    await waitFor(() => h.last()?.state === 'down', 'down');
    expect(h.last().message).toMatch(/Cannot reach 127\.0\.0\.1:\d+/);
    const downs = await waitFor(() => {
      const d = h.frames.filter((f) => f.values.up === 0);
      return d.length >= 4 && d;
    }, 'four failed attempts');
    // 100 ms interval doubling: gaps of about 100, 200, 400 ms rather than a steady 100 ms
    const gaps = downs.slice(1).map((f, i) => f.ts - downs[i].ts);
    expect(gaps[2]).toBeGreaterThanOrEqual(350);
    expect(gaps[2]).toBeGreaterThan(gaps[0] * 2);
    expect(h.events.some((e) => e.kind === 'down')).toBe(true);
    server = await standIn({ port, traffic: 'idle' });
    const backAt = Date.now();
    await waitFor(() => h.last()?.state === 'ok', 'recovery', 5_000);
    expect(Date.now() - backAt).toBeLessThan(2_500);
    expect(h.events.some((e) => e.kind === 'up')).toBe(true);
  });

  it('explains a missing or wrong API key and works with the right one', async () => {
    const h = await setup({ apiKey: 'secret123', traffic: 'idle' });
    await waitFor(() => h.last()?.state === 'error', 'error');
    expect(h.last().message).toMatch(/needs an API key/);
    expect(server!.state().hits['GET /health']).toBeGreaterThan(0);

    const wrong = harness([endpoint(server!.url, { apiKey: 'nope' })]);
    const status = await wrong.collector.testConnection({ ...endpoint(server!.url, { apiKey: 'nope' }) });
    expect(status.message).toMatch(/refused the API key/);

    const right = await h.collector.testConnection({ ...endpoint(server!.url, { apiKey: 'secret123' }) });
    expect(right.state).toBe('ok');
    const auths = server!.state().log.filter((l) => l.path === '/metrics').map((l) => l.auth);
    expect(auths).toContain('Bearer secret123');
    expect(server!.state().log.filter((l) => l.path === '/health').every((l) => l.auth === null)).toBe(true);
  });

  it('garbage /metrics gives a message and stores no metric from it', async () => {
    const h = await setup({ traffic: 'idle' });
    server!.control({ mode: 'garbage' });
    await waitFor(() => h.last()?.message?.includes('/metrics'), 'a /metrics message');
    expect(h.last().message).toMatch(/did not return what llama-server returns/);
    const f = h.frames[h.frames.length - 1];
    expect(Object.keys(f.values).filter((k) => k.startsWith('llamacpp:'))).toEqual([]);
  });

  it('says when /metrics is turned off, and which flag to add', async () => {
    const h = await setup({ traffic: 'idle' });
    server!.control({ metrics: false });
    const s = await h.collector.testConnection(endpoint(server!.url));
    expect(s.message).toMatch(/--metrics/);
  });

  it('says when /slots is turned off', async () => {
    await setup({ traffic: 'idle' });
    server!.control({ slots: false });
    const s = await harness([]).collector.testConnection(endpoint(server!.url));
    expect(s.message).toMatch(/--no-slots/);
  });

  it('reports loading (503), times out a slow server, and calls a dropped connection unreachable', async () => {
    const h = await setup({ traffic: 'idle' });
    server!.control({ mode: 'loading' });
    await waitFor(() => h.last()?.state === 'loading', 'loading');
    expect(h.last().message).toMatch(/loading/i);
    expect(h.frames[h.frames.length - 1].values.health_state).toBe(HEALTH.loading);

    server!.control({ mode: 'slow', slowMs: 3_000 });
    const slow = await harness([], { timeoutMs: 300 }).collector.testConnection(endpoint(server!.url));
    expect(slow.state).toBe('down');
    expect(slow.message).toMatch(/No answer from .* within 0\.3 s/);

    server!.control({ mode: 'drop' });
    const dropped = await harness([]).collector.testConnection(endpoint(server!.url));
    expect(dropped.message).toMatch(/Cannot reach/);

    server!.control({ mode: '500' });
    const failed = await harness([]).collector.testConnection(endpoint(server!.url));
    expect(failed.state).toBe('error');
  });

  it('never reads /slots of a sleeping server, and says it sleeps', async () => {
    server = await standIn({ traffic: 'idle' });
    server.control({ mode: 'sleeping' });
    const h = harness([endpoint(server.url)]);
    stopCollector = () => h.collector.stop();
    const probe = await h.collector.testConnection(endpoint(server.url));
    expect(probe.state).toBe('sleeping');
    h.collector.sync();
    await waitFor(() => h.frames.length >= 5, 'five frames');
    expect(server.state().hits['GET /slots'] ?? 0).toBe(0);
    expect(server.state().mode).toBe('sleeping');
    expect(h.last().message).toMatch(/--sleep-idle-seconds/);
    expect(h.frames[h.frames.length - 1].values.health_state).toBe(HEALTH.sleeping);

    // a request wakes it: the collector notices at once and follows the generation through /slots
    server.control({ generating: { tokens: 3000, ms: 10_000 } });
    await waitFor(() => h.last()?.state === 'busy', 'busy after waking', 2_000);
    await waitFor(() => h.frames.find((f) => (f.values.gen_tps_live ?? 0) > 0), 'live speed after waking', 2_000);
  });

  it('restarts a poller when its endpoint changes and stops it when removed', async () => {
    server = await standIn({ traffic: 'idle', apiKey: 'k' });
    const eps = [endpoint(server.url)];
    const h = harness(eps);
    stopCollector = () => h.collector.stop();
    h.collector.sync();
    await waitFor(() => h.last()?.state === 'error', 'auth error');
    eps[0] = { ...eps[0], apiKey: 'k' };
    h.collector.sync();
    await waitFor(() => h.last()?.state === 'ok', 'ok with the key');
    eps.length = 0;
    h.collector.sync();
    const n = server.state().hits['GET /health'];
    await sleep(400);
    expect(server.state().hits['GET /health']).toBe(n);
    expect(h.collector.statuses()).toEqual([]);
  });
});

describe('testConnection with identifyOnly (looking for local servers)', () => {
  it('reads /health and /props only, so a sleeping server stays asleep', async () => {
    server = await standIn({ traffic: 'idle' });
    server.control({ mode: 'sleeping' });
    const s = await harness([]).collector.testConnection(endpoint(server.url), { identifyOnly: true });
    expect(s.state).toBe('sleeping');
    expect(s.info).toMatchObject({ model: 'tiny.gguf', totalSlots: 2 });
    expect(Object.keys(server.state().hits).sort()).toEqual(['GET /health', 'GET /props']);
    expect(server.state().mode).toBe('sleeping');
  });

  it('does not take any web server answering /health for a llama-server', async () => {
    const http = await import('node:http');
    const page = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>x</title>'));
    await new Promise<void>((res) => page.listen(0, '127.0.0.1', res));
    try {
      const { port } = page.address() as { port: number };
      const s = await harness([]).collector.testConnection(endpoint(`http://127.0.0.1:${port}`), { identifyOnly: true });
      expect(s.state).toBe('error');
      expect(s.message).toMatch(/not a llama-server/);
    } finally {
      await new Promise((res) => page.close(res));
    }
  });
});
