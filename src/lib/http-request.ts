/**
 * One GET/POST to an endpoint with a time limit, turned into either a body or a classified failure
 * (see explain-fetch-error.ts for the words). `fetch` is injected, so the same code runs in the DB worker
 * and in the Node exporter.
 */

import { isMixedContent, type FetchFailure } from './explain-fetch-error';
import { joinUrl } from './base-url';
import { MAX_BODY_BYTES } from './limits';

/** What request() needs from where it runs. */
export interface HttpEnv {
  fetch: typeof fetch;
  /** location.protocol / location.origin of the page or worker; null outside a browser. */
  pageProtocol: string | null;
  pageOrigin: string | null;
}

/** A body, or why there is none. */
export type HttpResult = { ok: true; status: number; text: string } | { ok: false; failure: FetchFailure };

/** Per-request settings of request(). */
export interface RequestOptions {
  apiKey?: string | null;
  timeoutMs: number;
  /** Aborted when the poller stops: the request ends quietly, without a failure. */
  signal?: AbortSignal;
  method?: 'GET' | 'POST';
  json?: unknown;
  /** Largest body read (default MAX_BODY_BYTES); a longer one is cut off and reported as too large. */
  maxBytes?: number;
}

/** Only the start of an error body is shown, so less of it is read. */
const ERROR_BODY_BYTES = 64 * 1024;

/** Thrown when the request was cancelled by the caller (poller stopped), not by a failure. */
export class Cancelled extends Error {}

/** Bearer header when a key is set. /health is public, so callers leave the key out there (no preflight). */
export function authHeaders(apiKey?: string | null): Record<string, string> {
  return apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
}

async function corsOrUnreachable(env: HttpEnv, base: string, timeoutMs: number): Promise<FetchFailure> {
  // Only a browser hides responses for CORS. A no-cors request gets an opaque answer when the server is
  // there at all, so it tells "refused to share with this origin" from "nothing listening".
  if (!env.pageOrigin) return { kind: 'unreachable' };
  try {
    await env.fetch(joinUrl(base, '/health'), { mode: 'no-cors', signal: AbortSignal.timeout(timeoutMs) });
    return { kind: 'cors' };
  } catch {
    return { kind: 'unreachable' };
  }
}

/** Performs one request; never throws except Cancelled. */
export async function request(env: HttpEnv, base: string, path: string, opts: RequestOptions): Promise<HttpResult> {
  const url = joinUrl(base, path);
  if (isMixedContent(env.pageProtocol, url)) return { ok: false, failure: { kind: 'mixed-content' } };
  // A timer cleared once the answer is in, not AbortSignal.timeout: that one fires for every request,
  // seconds later, and each such wake-up of the worker costs more CPU than the request's own work.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout.signal, opts.signal]) : timeout.signal;
  const headers: Record<string, string> = { ...authHeaders(opts.apiKey) };
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  try {
    const res = await env.fetch(url, { method: opts.method ?? 'GET', headers, body, signal, cache: 'no-store' });
    const max = opts.maxBytes ?? MAX_BODY_BYTES;
    const got = await readCapped(res, res.ok ? max : ERROR_BODY_BYTES);
    if (!res.ok) return { ok: false, failure: { kind: 'http', status: res.status, body: got.text.slice(0, 2000) } };
    if (got.over) return { ok: false, failure: { kind: 'too-large', limitBytes: max } };
    return { ok: true, status: res.status, text: got.text };
  } catch {
    if (opts.signal?.aborted) throw new Cancelled('stopped');
    if (timeout.signal.aborted) return { ok: false, failure: { kind: 'timeout', ms: opts.timeoutMs } };
    return { ok: false, failure: await corsOrUnreachable(env, base, Math.min(opts.timeoutMs, 3000)) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a body as a stream up to `max` bytes and cancels the rest, so a server that sends megabytes
 * (or never stops) costs at most `max` bytes of memory. `over` says it was cut off.
 */
export async function readCapped(res: Response, max: number): Promise<{ text: string; over: boolean }> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > max || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    return { text: '', over: declared > max };
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (size + value.byteLength > max) {
      chunks.push(value.subarray(0, max - size));
      await reader.cancel().catch(() => undefined);
      return { text: decode(chunks, max), over: true };
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { text: decode(chunks, size), over: false };
}

function decode(chunks: Uint8Array[], size: number): string {
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** A parsed JSON body, or why there is none. */
export type JsonResult = { ok: true; value: unknown } | { ok: false; failure: FetchFailure };

/** Parses a JSON body; a body that is not JSON is a failure in the same terms as the others. */
export function jsonOf(res: HttpResult): JsonResult {
  if (!res.ok) return res;
  try {
    return { ok: true, value: JSON.parse(res.text) };
  } catch {
    return { ok: false, failure: { kind: 'bad-body', detail: 'the answer is not JSON' } };
  }
}

/** Failures that mean the endpoint cannot be reached at all (as opposed to answering wrongly). */
export const isDown = (f: FetchFailure) => f.kind === 'timeout' || f.kind === 'unreachable' || f.kind === 'cors' || f.kind === 'mixed-content';

/**
 * Reads of one server, as the llama tick needs them: the only way lib code reaches the network, so a
 * caller (the DB worker's poller, the exporter, a test) decides how requests are made.
 */
export interface ServerIo {
  /** GET of `path` (query included) under the server's base URL; `public` paths go without the key. Throws only Cancelled. */
  get(path: string, opts?: { public?: boolean }): Promise<HttpResult>;
  /** The same, parsed as JSON. */
  json(path: string): Promise<JsonResult>;
}

/** Where fetchIo sends its requests. */
export interface FetchIoOptions {
  env: HttpEnv;
  baseUrl: string;
  apiKey: string | null;
  timeoutMs: number;
  /** Ends requests in flight quietly (they throw Cancelled) when the caller stops. */
  signal?: AbortSignal;
}

/** A ServerIo over request() with an injected fetch: what the DB worker's poller and the exporter both use. */
export function fetchIo(o: FetchIoOptions): ServerIo {
  const get = (path: string, opts?: { public?: boolean }) =>
    request(o.env, o.baseUrl, path, { apiKey: opts?.public ? null : o.apiKey, timeoutMs: o.timeoutMs, signal: o.signal });
  return { get, json: async (path) => jsonOf(await get(path)) };
}
