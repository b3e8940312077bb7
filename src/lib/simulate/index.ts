import { exporterSnapshot } from './exporter-sim';
import { SIM_EXPORTER_URL, SIM_LLAMA_URL } from './host';
import { LlamaSim } from './llama-sim';

/**
 * The simulated llama-server and exporter behind one function: given a URL and the time, the reply a real
 * one would give. Pure (no I/O): the worker wraps it as a `fetch` (src/collect/sim-fetch.ts) and loads this
 * module only when a simulated endpoint is polled.
 */

/** A reply as plain data. */
export interface SimReply {
  status: number;
  contentType: string;
  headers?: Record<string, string>;
  body: string;
}

const json = (v: unknown, status = 200): SimReply => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(v) });
const notFound = (): SimReply => json({ error: { code: 404, message: 'File Not Found', type: 'not_found_error' } }, 404);

export interface Simulation {
  answer(url: string, method: string, now: number): SimReply;
  readonly llama: LlamaSim;
}

/** Starts a simulation whose clock begins at `now`. */
export function createSimulation(now: number): Simulation {
  const llama = new LlamaSim(now);
  const bornAt = now;
  const llamaOrigin = new URL(SIM_LLAMA_URL).origin;
  const exporterOrigin = new URL(SIM_EXPORTER_URL).origin;

  function busyShare(t: number): number {
    const slots = llama.slots(t);
    return slots.filter((s) => s.is_processing).length / llama.nSlots;
  }

  function llamaReply(path: string, t: number): SimReply {
    llama.advance(t);
    const start = { 'Process-Start-Time-Unix': String(llama.processStart()) };
    switch (path) {
      case '/health':
      case '/v1/health':
        return json({ status: 'ok' });
      case '/metrics':
        return { status: 200, contentType: 'text/plain; version=0.0.4', headers: start, body: llama.metricsText(t) };
      case '/slots':
        return { ...json(llama.slots(t)), headers: start };
      case '/props':
        return { ...json(llama.props()), headers: start };
      case '/models':
      case '/v1/models':
        return json({ object: 'list', data: [{ id: llama.props().model_alias, object: 'model', owned_by: 'llamacpp', created: Math.floor(bornAt / 1000) }] });
      default:
        return notFound();
    }
  }

  function exporterReply(path: string, t: number): SimReply {
    if (path === '/api/v1/snapshot') return json(exporterSnapshot(bornAt, t, busyShare(t)));
    // The simulation has no past before it started: an empty history, as a freshly started exporter gives.
    if (path === '/api/v1/history') return json({ version: 1, intervalMs: 1000, ts: [], series: {}, more: false, next: null });
    return notFound();
  }

  return {
    llama,
    answer(url: string, method: string, t: number): SimReply {
      const u = new URL(url);
      if (method !== 'GET' && method !== 'HEAD') return json({ error: { code: 405, message: 'The simulated server only answers reads.' } }, 405);
      if (u.origin === llamaOrigin) return llamaReply(u.pathname, t);
      if (u.origin === exporterOrigin) return exporterReply(u.pathname, t);
      return notFound();
    },
  };
}
