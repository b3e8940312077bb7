import { isSimulatedUrl } from '../lib/simulate/host';
import type { Simulation } from '../lib/simulate/index';

/**
 * A `fetch` that answers URLs of the simulated servers from the simulation and passes every other
 * request to `real`. The simulator is imported on the first simulated request only, so the code of a
 * dashboard that never starts a simulation stays as it was. The simulation is built from `origin()`, the
 * stored time it began, so a worker that takes over from a closed tab goes on with the same servers, and
 * is built again when that time changes (a new start after an import); with none stored it begins now.
 * `reset()` forgets it (after a stop), so the next start begins afresh.
 */
export function simulatedFetch(real: typeof fetch, now: () => number, origin: () => number | null): { fetch: typeof fetch; reset(): void } {
  let sim: { origin: number; ready: Promise<Simulation> } | null = null;
  const simulation = () => {
    const stored = origin();
    if (!sim || (stored !== null && stored !== sim.origin)) {
      const o = stored ?? now();
      sim = { origin: o, ready: import('../lib/simulate/index').then((m) => m.createSimulation(o)) };
    }
    return sim.ready;
  };
  const doFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!isSimulatedUrl(url)) return real(input, init);
    if (init?.signal?.aborted) throw init.signal.reason ?? new DOMException('Aborted', 'AbortError');
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const reply = await (await simulation()).reply(url, method, now(), body);
    return new Response(method === 'HEAD' ? null : reply.body, {
      status: reply.status,
      headers: { 'Content-Type': reply.contentType, ...reply.headers },
    });
  }) as typeof fetch;
  return { fetch: doFetch, reset: () => (sim = null) };
}
