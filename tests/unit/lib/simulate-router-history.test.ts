import { describe, expect, it } from 'vitest';
import { createSimulation, type Simulation } from '../../../src/lib/simulate/index';
import { CYCLE_MS, LOAD_MS, LOADED_MS, ROUTER_MODELS } from '../../../src/lib/simulate/router-sim';
import { SIM_WATCH_HISTORY_MS } from '../../../src/lib/simulate/watch-sim';
import { FIRST_RESTART_MS } from '../../../src/lib/simulate/llama-sim';
import { SIM_EXPORTER_URL, SIM_LLAMA_URL, SIM_ROUTER_URL } from '../../../src/lib/simulate/host';
import { fetchIo } from '../../../src/lib/http-request';
import { LlamaTick } from '../../../src/lib/llama-tick';
import { parseRouterModels } from '../../../src/lib/llama-models';
import { historyRows, snapshotSeries } from '../../../src/lib/host-snapshot';
import { KEYS, seriesKey } from '../../../src/lib/series-keys';
import { llamaHistoryProblem, type WatchedServer } from '../../../src/lib/exporter-llama';
import { LlamaGapFiller } from '../../../src/collect/llama-gap-fill';
import type { Endpoint, SampleFrame, SeriesEvent } from '../../../src/lib/types';

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

describe('simulated exporter watching the simulated servers', () => {
  it('lists both servers in its snapshot and pages their history like the real exporter, restart and model changes included', async () => {
    const sim = createSimulation(T0);
    const now = T0 + FIRST_RESTART_MS + 60_000;
    const snap = get(sim, `${SIM_EXPORTER_URL}/api/v1/snapshot`, now).json();
    expect(snap.llama.map((w: WatchedServer) => [w.url, w.health, w.isRouter])).toEqual([[SIM_LLAMA_URL, 'up', false], [SIM_ROUTER_URL, 'up', true]]);
    expect(snap.llama[0]).toMatchObject({ from: T0, to: now });

    const page = async (url: string, since: number, limit: number) => JSON.parse((await sim.reply(`${SIM_EXPORTER_URL}/api/v1/history?llama=${encodeURIComponent(url)}&since=${since}&until=${now}&limit=${limit}`, 'GET', now)).body);
    const p1 = await page(SIM_LLAMA_URL, 0, 60);
    expect(llamaHistoryProblem(p1)).toBeNull();
    expect(p1.ts[0]).toBe(T0);
    expect(p1.ts[1] - p1.ts[0]).toBe(2000);
    expect(p1).toMatchObject({ more: true, next: p1.ts.at(-1) });
    const rest = await page(SIM_LLAMA_URL, p1.next, 10_000);
    expect(rest.ts[0]).toBe(p1.next + 2000);
    expect(rest.ts.at(-1)).toBe(now);
    expect(rest.events.filter((e: { kind: string }) => e.kind === 'restart').map((e: { ts: number }) => e.ts)).toEqual([T0 + FIRST_RESTART_MS]);
    expect(Math.max(...rest.series[KEYS.tokensPredictedTotal])).toBeGreaterThan(0);
    // Uptime counts from the process start, as an exporter watching all along saw it, wherever a page starts.
    expect(rest.series[KEYS.uptime].at(-1)).toBe((now - T0 - FIRST_RESTART_MS) / 1000);
    const late = await page(SIM_LLAMA_URL, T0 + 100_000, 5);
    expect(late.series[KEYS.uptime][0]).toBe(102);

    const router = await page(SIM_ROUTER_URL, 0, 10_000);
    expect(llamaHistoryProblem(router)).toBeNull();
    expect(router.events.map((e: { detail?: string }) => e.detail)).toContain(`${CYCLING} loaded`);
    expect((await sim.reply(`${SIM_EXPORTER_URL}/api/v1/history?llama=https%3A%2F%2Felsewhere%3A8080`, 'GET', now)).status).toBe(404);
  });

  it('the dashboard\'s gap filler fills a closed tab\'s hours of the simulated server from it', async () => {
    const sim = createSimulation(T0);
    const now = T0 + 30 * 60_000;
    const saved: { frames: SampleFrame[]; events: SeriesEvent[] } = { frames: [], events: [] };
    const ep: Endpoint = { id: 7, kind: 'llama', name: 'Simulated llama-server', url: SIM_LLAMA_URL, apiKey: null, intervalMs: 2000, enabled: true, createdAt: T0, fromLink: false };
    const exporter: Endpoint = { ...ep, id: 8, kind: 'exporter', url: SIM_EXPORTER_URL };
    const filler = new LlamaGapFiller({
      exporter,
      endpoints: () => [ep],
      now: () => now,
      // The dashboard stored only the first minute, then the tab was closed.
      store: {
        coverage: () => ({ covered: Array.from({ length: 30 }, (_, i) => T0 + i * 2000), filled: [] }),
        saveBackfill: (frames, events) => {
          saved.frames.push(...frames);
          saved.events.push(...events);
        },
        link: () => null,
      },
      get: async (path) => {
        const r = await sim.reply(`${SIM_EXPORTER_URL}${path}`, 'GET', now);
        return r.status === 200 ? { ok: true, value: JSON.parse(r.body) } : { ok: false, failure: { kind: 'http', status: r.status, body: r.body } };
      },
    });
    const watched = get(sim, `${SIM_EXPORTER_URL}/api/v1/snapshot`, now).json().llama;
    await filler.run(watched, 0);
    expect(filler.problem).toBeNull();
    expect(saved.frames[0].ts).toBeGreaterThan(T0 + 58_000);
    expect(saved.frames.at(-1)!.ts).toBeGreaterThan(now - 10_000);
    expect(saved.frames.every((f) => f.endpointId === 7)).toBe(true);
    expect(saved.events.some((e) => e.kind === 'filled')).toBe(true);
    expect(saved.events.some((e) => e.kind === 'restart' && e.ts === T0 + FIRST_RESTART_MS)).toBe(true);
  });
});

describe('simulated exporter history window', () => {
  it('the watched servers\' history reaches back one hour, the host\'s a day', () => {
    const sim = createSimulation(T0);
    const now = T0 + 3 * 3600_000;
    const snap = get(sim, `${SIM_EXPORTER_URL}/api/v1/snapshot`, now).json();
    expect(snap.llama[0]).toMatchObject({ from: now - SIM_WATCH_HISTORY_MS, to: now });
    const host = get(sim, `${SIM_EXPORTER_URL}/api/v1/history?since=0&limit=1`, now).json();
    expect(host.ts).toEqual([T0]);
  });
});
