import { DEFAULT_LLAMA_LIMIT, MAX_HISTORY_LIMIT } from '../exporter-llama';
import { exporterSnapshot } from './exporter-sim';
import { HostHistory } from './history-sim';
import { SIM_EXPORTER_URL, SIM_LLAMA_URL, SIM_ROUTER_URL } from './host';
import { LlamaSim } from './llama-sim';
import { PROPS, ROUTER_CAPTURED_PROPS } from './captures';
import { ROUTER_MODELS, RouterSim } from './router-sim';
import { WatchHistory } from './watch-sim';

/**
 * The simulated llama-server, router and exporter behind one function: given a URL and the time, the reply
 * a real one would give. Pure (no I/O): the worker wraps it as a `fetch` (src/collect/sim-fetch.ts) and
 * loads this module only when a simulated endpoint is polled. Everything follows from the clock origin
 * (when the simulation was started), so a simulation rebuilt from the same origin goes on where it was.
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
const invalid = (message: string, status = 400): SimReply => json({ error: { code: status, message, type: status === 404 ? 'not_found_error' : 'invalid_request_error' } }, status);
const readOnly = (): SimReply => json({ error: { code: 405, message: 'The simulated server only answers reads.' } }, 405);

export interface Simulation {
  /**
   * The reply to `method url` at time `now` (ms, never earlier than the last call's); `body` of a POST.
   * Everything but the pages of a watched server's history, which only reply() builds.
   */
  answer(url: string, method: string, now: number, body?: string): SimReply;
  /**
   * The same for every URL, the exporter's pages of a watched server's history included (those are
   * rebuilt by replaying the dashboard's own reads, which are asynchronous).
   */
  reply(url: string, method: string, now: number, body?: string): Promise<SimReply>;
  readonly origin: number;
  readonly llama: LlamaSim;
  readonly router: RouterSim;
}

/** The GPU's load from both servers: the plain server weighs more (it is the busier one). */
function gpuLoad(llama: LlamaSim, router: RouterSim, t: number): number {
  return Math.min(1, 0.6 * llama.busyShare(t) + 0.4 * router.busyShare(t));
}

/** A llama-server's reads (/metrics, /slots, /props) of one process, the same for the plain server and a router's model. */
function processReply(p: LlamaSim, path: string, t: number): SimReply | null {
  const start = { 'Process-Start-Time-Unix': String(p.processStart()) };
  if (path === '/metrics') return { status: 200, contentType: 'text/plain; version=0.0.4', headers: start, body: p.metricsText(t) };
  if (path === '/slots') return { ...json(p.slots(t)), headers: start };
  if (path === '/props') return { ...json(p.props()), headers: start };
  return null;
}

/** Starts a simulation whose clock began at `origin` (now for a new one, the stored origin when taking one over). */
export function createSimulation(origin: number): Simulation {
  const llama = new LlamaSim(origin);
  const router = new RouterSim(origin);
  const history = new HostHistory(origin, () => {
    const l = new LlamaSim(origin);
    const r = new RouterSim(origin);
    return (t) => gpuLoad(l, r, t);
  });
  // The simulated exporter watches both servers (`--llama` on a real one), so their gaps fill from it.
  const replayOf = () => {
    const copy = createSimulation(origin);
    const startedAt = (model: string | null, t: number): number | null => {
      if (model !== null) return copy.router.process(model, t)?.bornAt ?? null;
      copy.llama.advance(t);
      return copy.llama.startedAt;
    };
    return { answer: copy.answer, startedAt };
  };
  const build = String(PROPS.build_info);
  const watches = [
    new WatchHistory(SIM_LLAMA_URL, origin, { build, model: String(llama.props().model_alias), isRouter: false }, replayOf),
    new WatchHistory(SIM_ROUTER_URL, origin, { build, model: null, isRouter: true }, replayOf),
  ];
  const origins = { llama: new URL(SIM_LLAMA_URL).origin, router: new URL(SIM_ROUTER_URL).origin, exporter: new URL(SIM_EXPORTER_URL).origin };

  function llamaReply(path: string, t: number): SimReply {
    llama.advance(t);
    if (path === '/health' || path === '/v1/health') return json({ status: 'ok' });
    if (path === '/models' || path === '/v1/models') {
      return json({ object: 'list', data: [{ id: llama.props().model_alias, object: 'model', owned_by: 'llamacpp', created: Math.floor(origin / 1000) }] });
    }
    return processReply(llama, path, t) ?? notFound();
  }

  function routerReply(u: URL, method: string, t: number, body: string | undefined): SimReply {
    const path = u.pathname;
    if (method === 'POST' && (path === '/models/load' || path === '/models/unload')) {
      let model: unknown;
      try {
        model = (JSON.parse(body ?? '') as { model?: unknown }).model;
      } catch {
        return invalid('the request body is not JSON');
      }
      if (typeof model !== 'string') return invalid('model name is missing from the request');
      const refused = router.change(model, path === '/models/load' ? 'load' : 'unload', t);
      return refused ? invalid(refused.message, refused.status) : json({ success: true });
    }
    if (method !== 'GET' && method !== 'HEAD') return readOnly();
    if (path === '/health' || path === '/v1/health') return json({ status: 'ok' });
    if (path === '/models' || path === '/v1/models') return json(router.models(t));
    const model = u.searchParams.get('model');
    if (path === '/props' && model === null) return json(ROUTER_CAPTURED_PROPS);
    if (path !== '/metrics' && path !== '/slots' && path !== '/props') return notFound();
    if (model === null) return invalid('model name is missing from the request');
    if (!ROUTER_MODELS.some((m) => m.id === model)) return invalid('model not found');
    // The dashboard always asks with autoload=false; a read without it would load the model on a real router.
    const p = router.process(model, t);
    return p ? processReply(p, path, t)! : invalid('model is not loaded');
  }

  function exporterReply(u: URL, t: number): SimReply {
    if (u.pathname === '/api/v1/snapshot') return json({ ...exporterSnapshot(origin, t, gpuLoad(llama, router, t)), llama: watches.map((w) => w.status(t)) });
    if (u.pathname === '/api/v1/history') {
      if (u.searchParams.has('llama')) return json({ error: 'a watched server\'s history is built asynchronously: ask reply(), not answer()' }, 501);
      const num = (name: string, fallback: number) => {
        const raw = u.searchParams.get(name);
        return raw === null || raw === '' ? fallback : Number(raw);
      };
      const since = num('since', 0);
      const until = num('until', Infinity);
      const limit = num('limit', Infinity);
      if (!Number.isFinite(since) || Number.isNaN(until)) return json({ error: 'since and until must be times in ms since epoch' }, 400);
      if (limit !== Infinity && (!Number.isInteger(limit) || limit < 1)) return json({ error: 'limit must be a whole number from 1' }, 400);
      return json({ ...history.page(since, until, limit, t), llama: watches.map((w) => w.status(t)) });
    }
    return notFound();
  }

  /** GET /api/v1/history?llama=<url>: one page of a watched server, as the real exporter pages it. */
  async function watchReply(u: URL, t: number): Promise<SimReply> {
    const target = u.searchParams.get('llama')!;
    const w = watches.find((x) => x.url === target.replace(/\/+$/, ''));
    if (!w) return json({ error: `${target} is not watched by this exporter (it watches ${watches.map((x) => x.url).join(', ')})` }, 404);
    const since = Number(u.searchParams.get('since') ?? 0);
    const until = Number(u.searchParams.get('until') || Infinity);
    const limit = Number(u.searchParams.get('limit') || DEFAULT_LLAMA_LIMIT);
    if (!Number.isFinite(since) || Number.isNaN(until) || !Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
      return json({ error: `since and until must be times in ms since epoch, limit a whole number from 1 to ${MAX_HISTORY_LIMIT}` }, 400);
    }
    return json(await w.page(since, until, limit, t));
  }

  function answer(url: string, method: string, t: number, body?: string): SimReply {
    const u = new URL(url);
    if (u.origin === origins.router) return routerReply(u, method, t, body);
    if (method !== 'GET' && method !== 'HEAD') return readOnly();
    if (u.origin === origins.llama) return llamaReply(u.pathname, t);
    if (u.origin === origins.exporter) return exporterReply(u, t);
    return notFound();
  }

  return {
    origin,
    llama,
    router,
    answer,
    reply(url: string, method: string, t: number, body?: string): Promise<SimReply> {
      const u = new URL(url);
      if (u.origin === origins.exporter && u.pathname === '/api/v1/history' && u.searchParams.has('llama') && (method === 'GET' || method === 'HEAD')) return watchReply(u, t);
      return Promise.resolve(answer(url, method, t, body));
    },
  };
}
