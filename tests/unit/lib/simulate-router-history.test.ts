import { describe, expect, it } from 'vitest';
import { createSimulation, type Simulation } from '../../../src/lib/simulate/index';
import { CYCLE_MS, LOAD_MS, LOADED_MS, ROUTER_MODELS } from '../../../src/lib/simulate/router-sim';
import { FIRST_RESTART_MS } from '../../../src/lib/simulate/llama-sim';
import { SIM_EXPORTER_URL, SIM_LLAMA_URL, SIM_ROUTER_URL } from '../../../src/lib/simulate/host';
import { fetchIo } from '../../../src/lib/http-request';
import { LlamaTick } from '../../../src/lib/llama-tick';
import { parseRouterModels } from '../../../src/lib/llama-models';
import { historyRows, snapshotSeries } from '../../../src/lib/host-snapshot';
import { KEYS, seriesKey } from '../../../src/lib/series-keys';

const T0 = 1_800_000_000_000;
const [ALWAYS, CYCLING, NEVER] = ROUTER_MODELS.map((m) => m.id);

const get = (sim: Simulation, url: string, t: number) => {
  const r = sim.answer(url, 'GET', t);
  return { status: r.status, body: r.body, headers: r.headers, json: () => JSON.parse(r.body) };
};
const post = (sim: Simulation, path: string, body: unknown, t: number) => {
  const r = sim.answer(`${SIM_ROUTER_URL}${path}`, 'POST', t, JSON.stringify(body));
  return { status: r.status, json: JSON.parse(r.body) };
};
const states = (sim: Simulation, t: number) => Object.fromEntries(parseRouterModels(get(sim, `${SIM_ROUTER_URL}/models`, t).json())!.map((m) => [m.id, m.state]));
const counter = (body: string, name: string) => Number(new RegExp(`^llamacpp:${name} (\\S+)$`, 'm').exec(body)![1]);

/** The dashboard's own tick (lib/llama-tick.ts) against the simulation, on a clock the test moves. */
function tickOn(sim: Simulation, base: string, clock: { t: number }) {
  const env = {
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const r = sim.answer(String(input), init?.method ?? 'GET', clock.t, typeof init?.body === 'string' ? init.body : undefined);
      return new Response(r.body, { status: r.status, headers: { 'Content-Type': r.contentType } });
    }) as typeof fetch,
    pageProtocol: null,
    pageOrigin: null,
  };
  return new LlamaTick({ io: fetchIo({ env, baseUrl: base, apiKey: null, timeoutMs: 1000, signal: new AbortController().signal }), now: () => clock.t, url: base, pageOrigin: null, hasApiKey: false });
}

describe('simulated router', () => {
  it('answers like the captured router: role router in /props, models loaded, loading and unloaded, per-model reads only for a loaded model', () => {
    const sim = createSimulation(T0);
    expect(get(sim, `${SIM_ROUTER_URL}/props`, T0).json().role).toBe('router');
    expect(states(sim, T0)).toEqual({ [ALWAYS]: 'loaded', [CYCLING]: 'loading', [NEVER]: 'unloaded' });
    expect(get(sim, `${SIM_ROUTER_URL}/metrics`, T0)).toMatchObject({ status: 400 });
    expect(get(sim, `${SIM_ROUTER_URL}/slots`, T0).json().error.message).toBe('model name is missing from the request');
    const q = (m: string) => `?model=${encodeURIComponent(m)}&autoload=false`;
    const metrics = get(sim, `${SIM_ROUTER_URL}/metrics${q(ALWAYS)}`, T0 + 20_000);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('llamacpp:tokens_predicted_total');
    expect(get(sim, `${SIM_ROUTER_URL}/props${q(ALWAYS)}`, T0 + 20_000).json().model_alias).toBe(ALWAYS);
    expect(get(sim, `${SIM_ROUTER_URL}/metrics${q(NEVER)}`, T0 + 20_000).json().error.message).toBe('model is not loaded');
  });

  it('the cycling model loads, serves from fresh counters and unloads, cycle after cycle', () => {
    const sim = createSimulation(T0);
    expect(states(sim, T0 + LOAD_MS + 1000)[CYCLING]).toBe('loaded');
    expect(states(sim, T0 + LOAD_MS + LOADED_MS + 1000)[CYCLING]).toBe('unloaded');
    expect(states(sim, T0 + CYCLE_MS + 1000)[CYCLING]).toBe('loading');
    const q = `?model=${CYCLING}&autoload=false`;
    const second = get(sim, `${SIM_ROUTER_URL}/metrics${q}`, T0 + CYCLE_MS + LOAD_MS + 500).body;
    expect(counter(second, 'tokens_predicted_total')).toBe(0);
  });

  it('load and unload asked through the API take effect as on a real router: at once for an unload, after loading for a load', () => {
    const sim = createSimulation(T0);
    const t = T0 + 10_000;
    expect(post(sim, '/models/load', { model: NEVER }, t)).toEqual({ status: 200, json: { success: true } });
    expect(states(sim, t + 1000)[NEVER]).toBe('loading');
    expect(post(sim, '/models/load', { model: NEVER }, t + 1000).json.error.message).toMatch(/already running/);
    expect(states(sim, t + LOAD_MS + 1000)[NEVER]).toBe('loaded');
    expect(post(sim, '/models/unload', { model: ALWAYS }, t + LOAD_MS + 2000).status).toBe(200);
    expect(states(sim, t + LOAD_MS + 2500)[ALWAYS]).toBe('unloaded');
    expect(post(sim, '/models/unload', { model: ALWAYS }, t + LOAD_MS + 3000).json.error.message).toMatch(/not running/);
    expect(post(sim, '/models/load', { model: 'nope' }, t + LOAD_MS + 3000).status).toBe(404);
  });

  it('the dashboard\'s tick reads it as a router and charts the loaded model\'s requests', async () => {
    const sim = createSimulation(T0);
    const clock = { t: T0 };
    const tick = tickOn(sim, SIM_ROUTER_URL, clock);
    let busy = false;
    let r = await tick.tick();
    for (; clock.t < T0 + 60_000; clock.t += 2000) {
      r = await tick.tick();
      busy ||= (r.values[seriesKey(KEYS.slotsBusy, { model: ALWAYS })] ?? 0) > 0;
    }
    expect(r.isRouter).toBe(true);
    expect(r.state === 'ok' || r.state === 'busy').toBe(true);
    expect(r.models?.map((m) => m.id)).toEqual(ROUTER_MODELS.map((m) => m.id));
    expect(busy).toBe(true);
    expect(r.values[seriesKey(KEYS.tokensPredictedTotal, { model: ALWAYS })]).toBeGreaterThan(0);
  });
});

describe('simulated exporter history', () => {
  it('holds a sample a second since the simulation began, equal to the snapshots it served live', () => {
    const live = createSimulation(T0);
    const seen = new Map<number, Record<string, number | null>>();
    for (let t = T0; t <= T0 + 10 * 60_000; t += 1000) {
      // Both servers are read as a dashboard reads them, so the replay must not depend on the reads.
      if (t % 2000 === 0) get(live, `${SIM_LLAMA_URL}/metrics`, t);
      if (t % 30_000 === 0) seen.set(t, snapshotSeries(get(live, `${SIM_EXPORTER_URL}/api/v1/snapshot`, t).json()));
    }
    const now = T0 + 10 * 60_000;
    const h = get(live, `${SIM_EXPORTER_URL}/api/v1/history?since=0`, now).json();
    expect(h.version).toBe(1);
    expect(h.ts[0]).toBe(T0);
    expect(h.ts.at(-1)).toBe(now);
    expect(h.ts.length).toBe(10 * 60 + 1);
    const rows = new Map(historyRows(h, 0).map((r) => [r.ts, r.values]));
    for (const [t, values] of seen) expect(rows.get(t), `at +${(t - T0) / 1000} s`).toEqual(values);
    const temp = h.series['gpu_temp_c{gpu="0"}'] as number[];
    expect(temp.at(-1)!).toBeGreaterThan(temp[0] + 20);
  });

  it('pages with since, until and limit as the real exporter does', () => {
    const sim = createSimulation(T0);
    const now = T0 + 5000;
    const p1 = get(sim, `${SIM_EXPORTER_URL}/api/v1/history?since=0&until=${now}&limit=3`, now).json();
    expect(p1).toMatchObject({ ts: [T0, T0 + 1000, T0 + 2000], more: true, next: T0 + 2000 });
    const p2 = get(sim, `${SIM_EXPORTER_URL}/api/v1/history?since=${p1.next}&until=${now - 1}&limit=3`, now).json();
    expect(p2).toMatchObject({ ts: [T0 + 3000, T0 + 4000], more: false, next: null });
    expect(get(sim, `${SIM_EXPORTER_URL}/api/v1/history?since=x`, now).status).toBe(400);
  });
});

describe('a simulation rebuilt from its stored origin (a hand-over to another tab)', () => {
  it('goes on where the first one was: counters continue, no new restart, the GPU stays warm', () => {
    const first = createSimulation(T0);
    const handOver = T0 + 3 * 60_000;
    let before = '';
    for (let t = T0; t <= handOver; t += 2000) before = get(first, `${SIM_LLAMA_URL}/metrics`, t).body;
    const tempBefore = get(first, `${SIM_EXPORTER_URL}/api/v1/snapshot`, handOver).json().gpus[0].tempC;

    const taken = createSimulation(T0);
    const after = get(taken, `${SIM_LLAMA_URL}/metrics`, handOver + 2000);
    const same = get(first, `${SIM_LLAMA_URL}/metrics`, handOver + 2000).body;
    for (const name of ['tokens_predicted_total', 'prompt_tokens_total', 'n_decode_total']) {
      expect(counter(after.body, name), name).toBeGreaterThanOrEqual(counter(before, name));
      expect(counter(after.body, name), name).toBe(counter(same, name));
    }
    expect(counter(before, 'tokens_predicted_total')).toBeGreaterThan(0);
    expect(after.headers?.['Process-Start-Time-Unix']).toBe(String(Math.floor(T0 / 1000)));
    expect(get(taken, `${SIM_EXPORTER_URL}/api/v1/snapshot`, handOver + 2000).json().gpus[0].tempC).toBeGreaterThanOrEqual(tempBefore - 1);
    // The restart still comes when it was due, once.
    const late = get(taken, `${SIM_LLAMA_URL}/metrics`, T0 + FIRST_RESTART_MS + 1000);
    expect(late.headers?.['Process-Start-Time-Unix']).toBe(String(Math.floor((T0 + FIRST_RESTART_MS) / 1000)));
  });
});
