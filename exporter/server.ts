import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { DEFAULT_LLAMA_LIMIT, MAX_HISTORY_LIMIT } from '../src/lib/exporter-llama';
import { normaliseBaseUrl } from '../src/lib/base-url';
import { PROM_CONTENT_TYPE } from '../src/lib/prom-write';
import type { LlamaWatch } from './llama-watch';
import { renderMetrics } from './metrics';
import { LOOPBACK, type ExporterOptions } from './options';
import type { Sampler } from './sampler';
import type { ExporterSnapshot } from '../src/lib/host-snapshot';

const ROUTES = new Set(['/metrics', '/api/v1/snapshot', '/api/v1/stream', '/api/v1/history', '/healthz']);
/** Open snapshot streams at most: each holds a connection and a listener. */
export const MAX_STREAMS = 32;
/** Health needs no token so uptime checks and the dashboard's "is it there" probe work without one. */
const PUBLIC = new Set(['/healthz']);

/** Whether a page on `origin` may read the answers (CORS allow-list). */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes('*')) return true;
  const o = origin.toLowerCase();
  if (allowed.some((a) => a.toLowerCase() === o)) return true;
  if (!allowed.includes(LOOPBACK)) return false;
  try {
    const { hostname, protocol } = new URL(origin);
    return (protocol === 'http:' || protocol === 'https:') && ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
  } catch {
    return false;
  }
}

/** Whether `host` (a bind address or a host name without port) names this machine's loopback interface. */
export function isLoopbackName(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m.slice(1).every((n) => Number(n) <= 255);
}

/**
 * Whether a request's Host header names loopback (any port). A page on another site can point its own
 * host name at 127.0.0.1 (DNS rebinding) and then read a loopback-bound exporter as same-origin, past
 * CORS; its requests still carry that foreign name in Host, so a loopback-bound exporter refuses them.
 */
export function hostHeaderLoopback(header: string | undefined): boolean {
  if (!header) return false;
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(header.trim());
  return m !== null && isLoopbackName(m[1]);
}

/** The HTTP side: reads what the sampler holds; never spawns anything. */
export function createServer(o: ExporterOptions, sampler: Sampler, watches: readonly LlamaWatch[] = []): http.Server {
  const token = o.token === null ? null : Buffer.from(`Bearer ${o.token}`);
  const loopbackOnly = isLoopbackName(o.host);
  let streams = 0;
  return http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      send(res, 500, 'application/json', JSON.stringify({ error: (e as Error).message }));
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (loopbackOnly && !hostHeaderLoopback(req.headers.host)) {
      return json(res, 403, { error: `this exporter listens on ${o.host} and answers only requests addressed to localhost, 127.0.0.1 or [::1]` });
    }
    const url = new URL(req.url ?? '/', 'http://exporter');
    const origin = req.headers.origin;
    const corsOk = origin !== undefined && originAllowed(origin, o.corsOrigins);
    if (corsOk) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    if (!ROUTES.has(url.pathname)) return json(res, 404, { error: `no such endpoint: ${url.pathname}` });
    if (req.method === 'OPTIONS') return preflight(req, res, corsOk);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      return json(res, 405, { error: `${req.method} is not allowed here; use GET` });
    }
    if (token && !PUBLIC.has(url.pathname) && !tokenOk(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="llama-dash-exporter"');
      return json(res, 401, { error: 'missing or wrong bearer token' });
    }
    const snap = sampler.latest;
    switch (url.pathname) {
      case '/healthz':
        return json(res, snap ? 200 : 503, { status: snap ? 'ok' : 'starting', ts: snap?.ts ?? null, sources: sampler.sources() });
      case '/api/v1/snapshot':
        return snap ? json(res, 200, withWatches(snap)) : json(res, 503, { error: 'no sample taken yet; retry in a moment' });
      case '/api/v1/stream':
        return stream(res, url.searchParams.get('every'));
      case '/api/v1/history':
        return history(res, url.searchParams);
      case '/metrics':
        if (!snap) return json(res, 503, { error: 'no sample taken yet; retry in a moment' });
        return send(res, 200, PROM_CONTENT_TYPE, renderMetrics(snap, sampler.host.cpuTimes, sampler.sources(), watches));
    }
  }

  function withWatches(snap: ExporterSnapshot) {
    return { ...snap, llama: watches.map((w) => w.status(true)) };
  }

  /**
   * The snapshot as /api/v1/snapshot has it, now and after each new sample, one JSON object per line, on
   * one response that stays open. A dashboard reads it instead of asking every second: in a browser a
   * line on an open response wakes a third as many threads as a request does. `every` (ms) thins the
   * lines to what a dashboard polling at that interval takes.
   */
  function stream(res: ServerResponse, every: string | null): void {
    const everyMs = every === null || every === '' ? 0 : Number(every);
    if (!Number.isFinite(everyMs) || everyMs < 0) return json(res, 400, { error: 'every must be a time in ms' });
    if (streams >= MAX_STREAMS) return json(res, 503, { error: `${MAX_STREAMS} snapshot streams are open already; poll /api/v1/snapshot instead` });
    res.setHeader('Cache-Control', 'no-store');
    // A reverse proxy (nginx) would otherwise hold the lines back until its buffer fills.
    res.setHeader('X-Accel-Buffering', 'no');
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
    if (res.req.method === 'HEAD') return void res.end();
    streams++;
    let sentTs = -Infinity;
    const send = (snap: ExporterSnapshot) => {
      // Half a sample early counts as due, or timer jitter would skip every other one.
      if (snap.ts - sentTs < everyMs - o.intervalMs / 2) return;
      // A reader that stopped reading gets no more until it has caught up: lines are not queued for it.
      if (res.writableNeedDrain) return;
      sentTs = snap.ts;
      res.write(`${JSON.stringify(withWatches(snap))}\n`);
    };
    if (sampler.latest) send(sampler.latest);
    const off = sampler.onSample(send);
    res.on('close', () => {
      off();
      streams--;
    });
  }

  /**
   * Host/GPU samples (all of them when no limit is asked, as dashboards before paging expect), or with
   * `llama=<url>` one page of that watched server's series (an hour at 1 s when no limit is asked).
   */
  function history(res: ServerResponse, q: URLSearchParams): void {
    const num = (name: string, fallback: number) => {
      const raw = q.get(name);
      return raw === null || raw === '' ? fallback : Number(raw);
    };
    const since = num('since', 0);
    const until = num('until', Infinity);
    if (!Number.isFinite(since)) return json(res, 400, { error: 'since must be a time in ms since epoch' });
    if (Number.isNaN(until)) return json(res, 400, { error: 'until must be a time in ms since epoch' });
    const target = q.get('llama');
    const limit = num('limit', target === null ? Infinity : DEFAULT_LLAMA_LIMIT);
    if (limit !== Infinity && (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT)) {
      return json(res, 400, { error: `limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}` });
    }
    if (target === null) return json(res, 200, { ...sampler.history.since(since, o.intervalMs, until, limit), llama: watches.map((w) => w.status()) });
    const wanted = normaliseBaseUrl(target, { assumeHttp: true });
    const w = watches.find((x) => x.url === wanted);
    if (!w) return json(res, 404, { error: `${target} is not watched by this exporter (it watches ${watches.map((x) => x.url).join(', ') || 'no llama-server'})` });
    return json(res, 200, w.page(since, until, limit));
  }

  function tokenOk(header: string | undefined): boolean {
    if (!token || header === undefined) return false;
    const given = Buffer.from(header);
    return given.length === token.length && timingSafeEqual(given, token);
  }
}

function preflight(req: IncomingMessage, res: ServerResponse, corsOk: boolean): void {
  if (!corsOk) return json(res, 403, { error: 'this page origin is not in the exporter\'s --cors list' });
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
  res.setHeader('Access-Control-Max-Age', '600');
  // Chrome's Private Network Access preflight: a public page asking a loopback/LAN exporter.
  if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
  res.writeHead(204).end();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
