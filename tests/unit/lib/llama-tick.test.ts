// The llama tick as the exporter will run it: only lib/ imported, Node's own fetch, no DOM, against the
// stand-in llama-server (tests/fixtures/llama-stand-in.mjs) in single and router mode.
import { afterEach, describe, expect, it } from 'vitest';
import { fetchIo } from '../../../src/lib/http-request';
import { LlamaTick, type TickResult } from '../../../src/lib/llama-tick';
import { SLEEPING_MESSAGE } from '../../../src/lib/explain-fetch-error';
import { HEALTH, MODEL_STATE } from '../../../src/lib/series-keys';
import { startStandIn } from '../../fixtures/llama-stand-in.mjs';

interface StandIn {
  url: string;
  port: number;
  close(): Promise<void>;
  control(patch: Record<string, unknown>): State;
  state(): State;
}
interface State {
  mode: string;
  hits: Record<string, number>;
  log: { path: string; query: string; auth: string | null }[];
}

let server: StandIn | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tick over Node's fetch; `skew` moves its clock forward (to make /props due without waiting 10 s). */
async function setup(opts: Record<string, unknown> = {}, apiKey: string | null = null) {
  server = (await startStandIn({ port: 0, traffic: 'idle', ...opts })) as StandIn;
  const clock = { skew: 0 };
  const tick = new LlamaTick({
    io: fetchIo({ env: { fetch, pageProtocol: null, pageOrigin: null }, baseUrl: server.url, apiKey, timeoutMs: 1_000 }),
    now: () => Date.now() + clock.skew,
    url: server.url,
    pageOrigin: null,
    hasApiKey: !!apiKey,
  });
  return { tick, clock, hits: (k: string) => server!.state().hits[k] ?? 0 };
}

/** Ticks every 50 ms until `cond` holds for a result; fails the test with `what` after 8 s. */
async function tickUntil(tick: LlamaTick, cond: (r: TickResult) => boolean, what: string): Promise<TickResult> {
  const end = Date.now() + 8_000;
  for (;;) {
    const r = await tick.tick();
    if (cond(r)) return r;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('llama tick, single server', () => {
  it('reads health, props, metrics and slots once on connect, then only /metrics while idle and clean', async () => {
    const { tick, clock, hits } = await setup();
    const first = await tick.tick();
    expect(first).toMatchObject({ state: 'ok', message: null, failure: null, healthy: true, isRouter: false, models: null });
    expect(first.info).toMatchObject({ model: 'tiny.gguf', totalSlots: 2 });
    expect(first.values).toMatchObject({ up: 1, health_state: HEALTH.ok, slots_total: 2, 'llamacpp:prompt_tokens_total': 0 });
    expect(first.values['slot_busy{slot="0"}']).toBe(0);
    for (let i = 0; i < 4; i++) await tick.tick();
    expect([hits('GET /health'), hits('GET /metrics'), hits('GET /slots'), hits('GET /props')]).toEqual([1, 5, 1, 1]);
    // /props falls due: that tick is read the whole way again.
    clock.skew = 10_000;
    await tick.tick();
    expect([hits('GET /health'), hits('GET /props')]).toEqual([2, 2]);
    expect(server!.state().log.filter((l) => l.path === '/health').every((l) => l.auth === null)).toBe(true);
  });

  it('reads /slots while requests are processing, with a live speed from the slots', async () => {
    const { tick, hits } = await setup();
    await tick.tick();
    server!.control({ generating: { tokens: 4000, ms: 20_000 } });
    const live = await tickUntil(tick, (r) => (r.values.gen_tps_live ?? 0) > 0, 'a live speed');
    expect(live.state).toBe('busy');
    expect(live.values.health_state).toBe(HEALTH.busy);
    expect(hits('GET /slots')).toBeGreaterThan(1);
  });

  it('leaves a sleeping server asleep: no /slots read, and says so', async () => {
    const { tick, hits } = await setup();
    server!.control({ mode: 'sleeping' });
    for (let i = 0; i < 5; i++) {
      const r = await tick.tick();
      expect(r).toMatchObject({ state: 'sleeping', message: SLEEPING_MESSAGE });
      expect(r.values.health_state).toBe(HEALTH.sleeping);
    }
    expect(hits('GET /slots')).toBe(0);
    expect(server!.state().mode).toBe('sleeping');
  });

  it('marks a restart, starts over from the new counters with no negative rate, and re-reads /props', async () => {
    const { tick, hits } = await setup();
    server!.control({ requests: 2 });
    const before = await tickUntil(tick, (r) => (r.values['llamacpp:tokens_predicted_total'] ?? 0) > 0, 'finished requests');
    expect(before.events).toEqual([]);
    const props = hits('GET /props');
    server!.control({ restart: true });
    const r = await tick.tick();
    expect(r.events).toEqual([{ ts: r.ts, kind: 'restart' }]);
    expect(r.values.uptime_s).toBe(0);
    for (const k of ['gen_tps', 'prompt_tps', 'gen_tokens_rate', 'prompt_tokens_rate']) expect(r.values[k] ?? 0).toBeGreaterThanOrEqual(0);
    await tick.tick();
    expect(hits('GET /props')).toBe(props + 1);
  });

  it('says a key is needed on 401, and reads with the right one', async () => {
    const { tick } = await setup({ apiKey: 'secret123' });
    const r = await tick.tick();
    expect(r).toMatchObject({ state: 'error', healthy: true, failure: { kind: 'http', status: 401 } });
    expect(r.message).toMatch(/needs an API key/);
    expect(r.values).toEqual({ up: 1, health_state: HEALTH.error });

    const withKey = new LlamaTick({
      io: fetchIo({ env: { fetch, pageProtocol: null, pageOrigin: null }, baseUrl: server!.url, apiKey: 'secret123', timeoutMs: 1_000 }),
      now: Date.now, url: server!.url, pageOrigin: null, hasApiKey: true,
    });
    expect((await withKey.tick()).state).toBe('ok');
    expect(server!.state().log.filter((l) => l.path === '/metrics').map((l) => l.auth)).toContain('Bearer secret123');
  });

  it('keeps garbage out of the values and says what was wrong', async () => {
    const { tick } = await setup();
    expect((await tick.tick()).state).toBe('ok');
    server!.control({ mode: 'garbage' });
    const r = await tick.tick();
    expect(r.state).toBe('ok');
    expect(r.message).toMatch(/did not return what llama-server returns/);
    expect(Object.keys(r.values).filter((k) => k.startsWith('llamacpp:'))).toEqual([]);
  });

  it('tells loading (503) from down, and a down server stores up = 0, on the first tick after a clean one', async () => {
    const { tick } = await setup();
    expect((await tick.tick()).state).toBe('ok');
    server!.control({ mode: 'loading' });
    expect(await tick.tick()).toMatchObject({ state: 'loading', healthy: false, failure: null, values: { up: 1, health_state: HEALTH.loading } });
    await server!.close();
    server = null;
    const down = await tick.tick();
    expect(down).toMatchObject({ state: 'down', failure: { kind: 'unreachable' }, values: { up: 0, health_state: HEALTH.down } });
    expect(down.message).toMatch(/Cannot reach/);
  });
});

describe('llama tick, router', () => {
  it('lists models, reads only loaded ones with autoload=false, and never loads one', async () => {
    const { tick, hits } = await setup({ router: true, loadMs: 200 });
    const first = await tick.tick();
    expect(first).toMatchObject({ state: 'ok', isRouter: true });
    expect(first.models!.map((m) => [m.id, m.state])).toEqual([['tiny', 'unloaded'], ['tiny-copy', 'unloaded'], ['tiny-preset', 'unloaded']]);
    expect(first.values['model_state{model="tiny"}']).toBe(MODEL_STATE.unloaded);
    expect(Object.keys(first.values).some((k) => k.startsWith('llamacpp:'))).toBe(false);

    const res = await fetch(`${server!.url}/models/load`, { method: 'POST', body: JSON.stringify({ model: 'tiny' }) });
    expect(res.ok).toBe(true);
    const loaded = await tickUntil(tick, (r) => 'llamacpp:tokens_predicted_total{model="tiny"}' in r.values, 'per-model metrics');
    expect(loaded.values['model_state{model="tiny"}']).toBe(MODEL_STATE.loaded);
    expect(loaded.values['slots_total{model="tiny"}']).toBe(2);
    expect(loaded.events.some((e) => e.kind === 'model-change' && e.detail === 'tiny loaded')).toBe(true);
    const slotsOnConnect = hits('GET /slots');
    expect(slotsOnConnect).toBe(1);
    for (let i = 0; i < 3; i++) await tick.tick();
    expect(hits('GET /slots')).toBe(slotsOnConnect);

    server!.control({ model: 'tiny', requests: 2 });
    await tickUntil(tick, (r) => (r.values['llamacpp:tokens_predicted_total{model="tiny"}'] ?? 0) > 0, 'finished requests of tiny');
    server!.control({ model: 'tiny', restart: true });
    const restarted = await tick.tick();
    expect(restarted.events).toEqual([{ ts: restarted.ts, kind: 'restart', detail: 'tiny' }]);

    const perModel = server!.state().log.filter((l) => ['/metrics', '/slots', '/props'].includes(l.path) && l.query);
    expect(perModel.length).toBeGreaterThan(0);
    for (const l of perModel) expect(l.query).toMatch(/autoload=false/);
    expect(hits('AUTOLOAD')).toBe(0);
    expect(server!.state().hits['POST /models/load']).toBe(1);
  });

  it('fails the tick with words when the router needs a key', async () => {
    const { tick } = await setup({ router: true, apiKey: 'k' });
    const r = await tick.tick();
    expect(r).toMatchObject({ state: 'error', failure: { kind: 'http', status: 401 } });
    expect(r.message).toMatch(/needs an API key/);
  });
});
