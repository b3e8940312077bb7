/**
 * What answers at an address, read as lightly as possible: a llama-server's public /health, then /props
 * (model, slots, is_sleeping). Never /metrics or /slots: looking for servers must not wake a sleeping one
 * or restart its idle timer. Used to look for local servers on a first visit.
 */

import type { EndpointStatus } from '../lib/types';
import { explainFetchFailure, SLEEPING_MESSAGE, type FetchFailure } from '../lib/explain-fetch-error';
import { parseProps } from '../lib/llama-props';
import { currentPage, jsonOf, request, type HttpEnv } from './http';
import { initialStatus, type PollerContext } from './poller';

/** Default per-request limit: an idle local server answers these two in milliseconds. */
const TIMEOUT_MS = 3_000;

/** Asks /health and /props of the context's endpoint once; nothing is stored. */
export async function identifyLlama(ctx: PollerContext): Promise<EndpointStatus> {
  const ep = ctx.endpoint;
  const page = ctx.page ?? currentPage();
  const env: HttpEnv = { fetch: ctx.fetch, pageProtocol: page.protocol, pageOrigin: page.origin };
  const opts = { timeoutMs: ctx.timeoutMs ?? TIMEOUT_MS };
  const base = initialStatus(ep);
  const ts = ctx.now();
  const explain = (f: FetchFailure, path: string) => explainFetchFailure(f, { url: ep.url, path, pageOrigin: page.origin, hasApiKey: !!ep.apiKey });
  const failed = (f: FetchFailure, path: string): EndpointStatus => ({
    ...base, state: f.kind === 'http' || f.kind === 'bad-body' ? 'error' : 'down', message: explain(f, path), lastErrorAt: ts,
  });

  const health = await request(env, ep.url, '/health', { ...opts, apiKey: null });
  if (!health.ok) {
    const f = health.failure;
    if (f.kind === 'http' && f.status === 503) return { ...base, state: 'loading', message: explain(f, '/health'), lastOkAt: ts };
    return failed(f, '/health');
  }
  const props = jsonOf(await request(env, ep.url, '/props', { ...opts, apiKey: ep.apiKey }));
  if (!props.ok && props.failure.kind === 'http' && props.failure.status === 401) return failed(props.failure, '/props');
  const p = props.ok ? parseProps(props.value) : null;
  // Any web server answers /health with 200 (a static host's index page): only /props tells a llama-server.
  if (!p) return { ...base, state: 'error', message: "Something answers here, but its /props is not a llama-server's.", lastErrorAt: ts };
  return {
    ...base,
    state: p.isSleeping ? 'sleeping' : 'ok',
    message: p.isSleeping ? SLEEPING_MESSAGE : null,
    lastOkAt: ts,
    isRouter: p.isRouter,
    info: { model: p.model ?? undefined, build: p.build ?? undefined, totalSlots: p.totalSlots ?? undefined, ctxSize: p.ctxSize ?? undefined },
  };
}
