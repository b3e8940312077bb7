import { describe, expect, it } from 'vitest';
import { createSimulation, type Simulation } from '../../../src/lib/simulate/index';
import { FIRST_RESTART_MS } from '../../../src/lib/simulate/llama-sim';
import { ROUTER_MODELS } from '../../../src/lib/simulate/router-sim';
import { SIM_LLAMA_URL, SIM_ROUTER_URL } from '../../../src/lib/simulate/host';
import { fetchIo } from '../../../src/lib/http-request';
import { LlamaTick, type TickResult } from '../../../src/lib/llama-tick';
import type { StoredSample } from '../../../src/lib/llama-derive';
import { KEYS, seriesKey } from '../../../src/lib/series-keys';

const T0 = 1_800_000_000_000;

/** The dashboard's tick over the simulation (a server whose state depends only on the time), on a clock the test moves. */
function tickOn(sim: Simulation, base: string, clock: { t: number }, resumeFrom?: StoredSample) {
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const r = sim.answer(String(input), init?.method ?? 'GET', clock.t);
    return new Response(r.body, { status: r.status, headers: { 'Content-Type': r.contentType } });
  }) as typeof globalThis.fetch;
  const io = fetchIo({ env: { fetch, pageProtocol: null, pageOrigin: null }, baseUrl: base, apiKey: null, timeoutMs: 1000, signal: new AbortController().signal });
  return new LlamaTick({ io, now: () => clock.t, url: base, pageOrigin: null, hasApiKey: false, resumeFrom });
}

/** Polls every 2 s from `from` to `to` (inclusive) and returns the last result, as the tab that owned the database did. */
async function pollUntil(base: string, from: number, to: number): Promise<TickResult> {
  const sim = createSimulation(T0);
  const clock = { t: from };
  const tick = tickOn(sim, base, clock);
  let r = await tick.tick();
  for (clock.t = from + 2000; clock.t <= to; clock.t += 2000) r = await tick.tick();
  return r;
}

describe('a tick that goes on from the newest stored sample (a tab taking over the database)', () => {
  it('keeps the uptime and the rates of a server that ran on, with no restart marker', async () => {
    const stored = await pollUntil(SIM_LLAMA_URL, T0, T0 + 60_000);
    expect(stored.values[KEYS.uptime]).toBe(60);
    const clock = { t: T0 + 66_000 };
    const first = await tickOn(createSimulation(T0), SIM_LLAMA_URL, clock, stored).tick();
    expect(first.values[KEYS.uptime]).toBe(66);
    expect(first.events.filter((e) => e.kind === 'restart')).toEqual([]);
    expect(first.values[KEYS.genTokensRate]).not.toBeNull();
    // Without the stored sample the same server reads as just seen.
    const fresh = await tickOn(createSimulation(T0), SIM_LLAMA_URL, { t: T0 + 66_000 }).tick();
    expect(fresh.values[KEYS.uptime]).toBe(0);
    expect(fresh.values[KEYS.genTokensRate]).toBeNull();
  });

  it('marks a restart that happened while no tab polled', async () => {
    const stored = await pollUntil(SIM_LLAMA_URL, T0 + FIRST_RESTART_MS - 40_000, T0 + FIRST_RESTART_MS - 10_000);
    const clock = { t: T0 + FIRST_RESTART_MS + 4000 };
    const first = await tickOn(createSimulation(T0), SIM_LLAMA_URL, clock, stored).tick();
    expect(first.events.map((e) => e.kind)).toContain('restart');
    expect(first.values[KEYS.uptime]).toBe(0);
  });

  it('keeps the uptime of each router model loaded at the first read', async () => {
    const model = ROUTER_MODELS[0].id;
    const stored = await pollUntil(SIM_ROUTER_URL, T0, T0 + 30_000);
    const key = seriesKey(KEYS.uptime, { model });
    expect(stored.values[key]).toBe(30);
    const first = await tickOn(createSimulation(T0), SIM_ROUTER_URL, { t: T0 + 36_000 }, stored).tick();
    expect(first.values[key]).toBe(36);
    expect(first.events.filter((e) => e.kind === 'restart')).toEqual([]);
  });
});
