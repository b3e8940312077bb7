/**
 * Why a request to a llama-server failed, in words a user can act on. Pure: the collector classifies the
 * failure (it knows what fetch did), this module words it.
 */

import { hostOf } from './base-url';
import { sizeText } from './limits';

export type FetchFailure =
  /** No answer within the time limit. */
  | { kind: 'timeout'; ms: number }
  /** fetch rejected: nothing listening, DNS, firewall, or a local-network permission refused. */
  | { kind: 'unreachable' }
  /** fetch rejected, but the server did answer a no-cors probe: the browser hid the response (CORS). */
  | { kind: 'cors' }
  /** An https page cannot fetch an http:// address that is not localhost. */
  | { kind: 'mixed-content' }
  | { kind: 'http'; status: number; body: string }
  /** 200 but the body was not what that endpoint returns. */
  | { kind: 'bad-body'; detail: string }
  /** The body went past the size limit (lib/limits.ts); reading stopped there. */
  | { kind: 'too-large'; limitBytes: number };

export interface ExplainContext {
  /** Endpoint base URL as the user typed it. */
  url: string;
  /** Path that failed: '/health', '/metrics', '/slots', '/props', '/models'. */
  path: string;
  /** Origin of the dashboard page (location.origin), when known. */
  pageOrigin?: string | null;
  hasApiKey: boolean;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True when a page with `pageProtocol` may not fetch `url` at all (https page, plain-http remote server). */
export function isMixedContent(pageProtocol: string | null | undefined, url: string): boolean {
  if (pageProtocol !== 'https:') return false;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && !LOCAL_HOSTS.has(u.hostname) && !u.hostname.endsWith('.localhost');
  } catch {
    return false;
  }
}

function isPrivateHost(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(h) || h.endsWith('.local') || h.endsWith('.lan');
  } catch {
    return false;
  }
}

/** The server's own message from a llama-server error body, when there is one. */
export function serverMessage(body: string): string | null {
  try {
    const msg = (JSON.parse(body) as { error?: { message?: unknown } })?.error?.message;
    return typeof msg === 'string' && msg ? msg : null;
  } catch {
    return null;
  }
}

function explainHttp(status: number, body: string, ctx: ExplainContext): string {
  const said = serverMessage(body);
  const quoted = said ? ` The server said: "${said}".` : '';
  if (status === 401) {
    return ctx.hasApiKey
      ? 'The server refused the API key (401). Check that it matches one of the keys llama-server was started with (--api-key or LLAMA_API_KEY).'
      : 'This server needs an API key (401). Enter the key it was started with (--api-key or LLAMA_API_KEY) in the endpoint settings.';
  }
  if (status === 503 && said && /loading/i.test(said)) return 'The model is loading (503). Numbers will appear once it is ready.';
  if (ctx.path.startsWith('/metrics') && (status === 501 || status === 404)) {
    return '/metrics is turned off on this server. Restart llama-server with --metrics (or LLAMA_ARG_ENDPOINT_METRICS=1) to see throughput and requests.';
  }
  if (ctx.path.startsWith('/slots') && (status === 501 || status === 404)) {
    return '/slots is turned off on this server (started with --no-slots): per-slot context fill and live generation speed are not available. Remove --no-slots to get them.';
  }
  if (status === 404) return `${ctx.path} was not found (404). Is ${hostOf(ctx.url)} a llama-server? Check the address and port.${quoted}`;
  if (status === 503) return `The server is busy or not ready (503).${quoted}`;
  if (status >= 500) return `The server failed to answer ${ctx.path} (${status}).${quoted} Its log should say why.`;
  return `Unexpected answer ${status} from ${ctx.path}.${quoted}`;
}

/** One or two sentences: what went wrong and what to do about it. */
export function explainFetchFailure(f: FetchFailure, ctx: ExplainContext): string {
  const host = hostOf(ctx.url);
  switch (f.kind) {
    case 'timeout':
      return `No answer from ${host} within ${Math.round(f.ms / 100) / 10} s. The server may be overloaded, paused, or a firewall may be dropping the traffic.`;
    case 'mixed-content':
      return `This dashboard is open over https, and browsers do not let an https page fetch a plain http:// address like ${ctx.url} (mixed content). Open the dashboard over http (for example from http://localhost), or put a TLS proxy (Caddy, nginx) in front of llama-server and use its https:// address.`;
    case 'cors': {
      const origin = ctx.pageOrigin ? ` (${ctx.pageOrigin})` : '';
      return `${host} answered, but the browser blocked the response (CORS): the server does not allow this page's origin${origin}. llama-server allows every origin unless started with --cors-origins: remove that option or add this origin to it.`;
    }
    case 'unreachable': {
      const lan = isPrivateHost(ctx.url)
        ? ' If the browser asked whether this site may access devices on your local network, allow it.'
        : '';
      return `Cannot reach ${host}. Check that llama-server is running and listening there (it listens on 127.0.0.1 only unless started with --host 0.0.0.0) and that no firewall blocks the port.${lan}`;
    }
    case 'bad-body':
      return `${ctx.path} on ${host} did not return what llama-server returns (${f.detail}). Is another program or a proxy answering on that address?`;
    case 'too-large':
      return tooLargeText(f.limitBytes, ctx.path, host, 'a llama-server answer is a few kB');
    case 'http':
      return explainHttp(f.status, f.body, ctx);
  }
}

/** Words for a body cut off at the size limit; `normal` says how big the real answer is. */
export function tooLargeText(limitBytes: number, path: string, host: string, normal: string): string {
  return `The server sent more than ${sizeText(limitBytes)} for ${path}; the dashboard stopped reading it there (${normal}). Is another program or a proxy answering on ${host}?`;
}

/** Status line for a server that sleeps (--sleep-idle-seconds): polling must not wake it. */
export const SLEEPING_MESSAGE =
  'Sleeping: the model was unloaded after being idle (--sleep-idle-seconds). The next request wakes it; the dashboard does not.';
