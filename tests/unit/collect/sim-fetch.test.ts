import { describe, expect, it } from 'vitest';
import { simulatedFetch } from '../../../src/collect/sim-fetch';
import { SIM_LLAMA_URL } from '../../../src/lib/simulate/host';

describe('simulatedFetch', () => {
  it('answers simulated URLs itself and passes every other URL to the real fetch', async () => {
    const seen: string[] = [];
    const real = (async (input: RequestInfo | URL) => {
      seen.push(String(input));
      return new Response('real');
    }) as typeof fetch;
    let now = 1_800_000_000_000;
    const f = simulatedFetch(real, () => now, () => 1_800_000_000_000);
    const health = await f.fetch(`${SIM_LLAMA_URL}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    now += 10_000;
    const metrics = await f.fetch(new URL(`${SIM_LLAMA_URL}/metrics`));
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('llamacpp:prompt_tokens_total');
    expect(await (await f.fetch('http://127.0.0.1:8080/health')).text()).toBe('real');
    expect(seen).toEqual(['http://127.0.0.1:8080/health']);
  });

  it('refuses an aborted request as a real fetch does', async () => {
    const f = simulatedFetch(fetch, () => 0, () => null);
    const ac = new AbortController();
    ac.abort();
    await expect(f.fetch(`${SIM_LLAMA_URL}/health`, { signal: ac.signal })).rejects.toThrow();
  });

  it('builds the simulation from the stored origin: the same origin goes on, a new one starts afresh, none starts now', async () => {
    const T0 = 1_800_000_000_000;
    const tokens = async (f: ReturnType<typeof simulatedFetch>) =>
      Number(/^llamacpp:tokens_predicted_total (\S+)$/m.exec(await (await f.fetch(`${SIM_LLAMA_URL}/metrics`)).text())![1]);
    let now = T0 + 120_000;
    let stored: number | null = T0;
    const taken = simulatedFetch(fetch, () => now, () => stored);
    // Taken over two minutes in: requests have finished since the stored origin.
    expect(await tokens(taken)).toBeGreaterThan(0);
    // A new start stores a new origin: the next request meets a server just started.
    stored = now;
    expect(await tokens(taken)).toBe(0);
    // No origin stored (a simulation begun before origins were stored): it begins at the first request and keeps going.
    const legacy = simulatedFetch(fetch, () => now, () => null);
    expect(await tokens(legacy)).toBe(0);
    now += 120_000;
    expect(await tokens(legacy)).toBeGreaterThan(0);
  });
});
