/**
 * Prometheus' HTTP API (/api/v1/query, /api/v1/query_range): requests with an injected fetch, the JSON
 * envelope turned into numbers, and failures turned into words a user can act on.
 * Samples come as strings ("NaN", "+Inf", "-Inf" included) and become JavaScript numbers.
 */

import { joinUrl } from './base-url';
import { isMixedContent } from './explain-fetch-error';
import type { HttpEnv } from './http-request';

/** Labels of one series (`__name__` included when Prometheus kept it). */
export type Labels = Record<string, string>;

/** One sample of an instant vector; `ts` in seconds. */
export interface VectorSample {
  labels: Labels;
  ts: number;
  value: number;
}

/** One series of a range result; `ts` in seconds, ascending, only the points Prometheus had. */
export interface RangeSeries {
  labels: Labels;
  ts: number[];
  values: number[];
}

/** What a query answered, by result type. */
export type PromData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: RangeSeries[] }
  | { resultType: 'scalar'; ts: number; value: number }
  | { resultType: 'string'; ts: number; value: string };

/** Why there is no data. */
export type PromFailure =
  | { kind: 'timeout'; ms: number }
  | { kind: 'unreachable' }
  | { kind: 'cors' }
  | { kind: 'mixed-content' }
  /** Prometheus' own error envelope (errorType bad_data, timeout, canceled, execution, ...). */
  | { kind: 'api'; status: number; errorType: string; error: string }
  /** An HTTP error that is not Prometheus' envelope: a proxy in front, or another program. */
  | { kind: 'http'; status: number; body: string }
  | { kind: 'bad-body'; detail: string };

/** A parsed answer: data plus Prometheus' warnings, or why not. */
export type PromResult<T = PromData> = { ok: true; data: T; warnings: string[] } | { ok: false; failure: PromFailure };

/** A sample string as Prometheus writes it ("1.5", "NaN", "+Inf", "-Inf") as a number. */
export function parseSampleValue(s: unknown): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (typeof s !== 'string' || s.trim() === '') return NaN;
  return Number(s);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function labelsOf(v: unknown): Labels | null {
  if (!isObj(v)) return null;
  const out: Labels = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') return null;
    out[k] = x;
  }
  return out;
}

function pointOf(v: unknown): [number, number] | null {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number') return null;
  return [v[0], parseSampleValue(v[1])];
}

function dataOf(d: unknown): PromData | string {
  if (!isObj(d)) return 'it has no "data" object';
  const r = d.result;
  switch (d.resultType) {
    case 'vector': {
      if (!Array.isArray(r)) return 'its vector has no result list';
      const out: VectorSample[] = [];
      for (const s of r) {
        const labels = isObj(s) ? labelsOf(s.metric) : null;
        const p = isObj(s) ? pointOf(s.value) : null;
        if (!labels || !p) return 'a vector sample is malformed';
        out.push({ labels, ts: p[0], value: p[1] });
      }
      return { resultType: 'vector', result: out };
    }
    case 'matrix': {
      if (!Array.isArray(r)) return 'its matrix has no result list';
      const out: RangeSeries[] = [];
      for (const s of r) {
        const labels = isObj(s) ? labelsOf(s.metric) : null;
        const vals = isObj(s) ? s.values : null;
        if (!labels || !Array.isArray(vals)) return 'a matrix series is malformed';
        const series: RangeSeries = { labels, ts: [], values: [] };
        for (const v of vals) {
          const p = pointOf(v);
          if (!p) return 'a matrix point is malformed';
          series.ts.push(p[0]);
          series.values.push(p[1]);
        }
        out.push(series);
      }
      return { resultType: 'matrix', result: out };
    }
    case 'scalar': {
      const p = pointOf(r);
      return p ? { resultType: 'scalar', ts: p[0], value: p[1] } : 'its scalar is malformed';
    }
    case 'string':
      return Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'string'
        ? { resultType: 'string', ts: r[0], value: r[1] }
        : 'its string is malformed';
    default:
      return `its result type "${String(d.resultType)}" is unknown`;
  }
}

/** Parses one API answer (HTTP status and body), whatever it is: success, error envelope, or not Prometheus at all. */
export function parseApiResponse(status: number, text: string): PromResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (status >= 200 && status < 300) return { ok: false, failure: { kind: 'bad-body', detail: 'the answer is not JSON' } };
    return { ok: false, failure: { kind: 'http', status, body: text.slice(0, 500) } };
  }
  if (!isObj(body) || (body.status !== 'success' && body.status !== 'error')) {
    if (status >= 200 && status < 300) return { ok: false, failure: { kind: 'bad-body', detail: 'the answer has no "status" of success or error' } };
    return { ok: false, failure: { kind: 'http', status, body: text.slice(0, 500) } };
  }
  if (body.status === 'error') {
    return {
      ok: false,
      failure: { kind: 'api', status, errorType: typeof body.errorType === 'string' ? body.errorType : 'unknown', error: typeof body.error === 'string' ? body.error : '' },
    };
  }
  const data = dataOf(body.data);
  if (typeof data === 'string') return { ok: false, failure: { kind: 'bad-body', detail: data } };
  const warnings = Array.isArray(body.warnings) ? body.warnings.filter((w): w is string => typeof w === 'string') : [];
  return { ok: true, data, warnings };
}

/**
 * The Authorization header for a stored credential: "Bearer TOKEN", "Basic user:password" (encoded here),
 * or a bare token (sent as Bearer). Null or empty: no header.
 */
export function promAuthHeaders(credential: string | null | undefined): Record<string, string> {
  const c = credential?.trim();
  if (!c) return {};
  const basic = /^basic\s+(.+)$/i.exec(c);
  if (basic) {
    const raw = basic[1];
    // Already base64 (no colon): sent as is; user:password is encoded (UTF-8, as browsers and curl do).
    const token = raw.includes(':') ? btoa(String.fromCharCode(...new TextEncoder().encode(raw))) : raw;
    return { Authorization: `Basic ${token}` };
  }
  const bearer = /^bearer\s+(.+)$/i.exec(c);
  return { Authorization: `Bearer ${bearer ? bearer[1] : c}` };
}

/** Where and how to ask one Prometheus. */
export interface PromTarget {
  env: HttpEnv;
  /** Base URL (the Prometheus server, or the path prefix its --web.external-url or a proxy gives it). */
  url: string;
  credential: string | null;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Thrown when the caller's signal ended the request: nothing to report. */
export class PromCancelled extends Error {}

async function corsOrUnreachable(t: PromTarget): Promise<PromFailure> {
  // Only a browser hides answers for CORS; a no-cors request gets an opaque answer when anything is there.
  if (!t.env.pageOrigin) return { kind: 'unreachable' };
  try {
    await t.env.fetch(joinUrl(t.url, '/api/v1/status/buildinfo'), { mode: 'no-cors', signal: AbortSignal.timeout(Math.min(t.timeoutMs, 3000)) });
    return { kind: 'cors' };
  } catch {
    return { kind: 'unreachable' };
  }
}

/** GET of an API path with its parameters; never throws except PromCancelled. */
export async function promGet(t: PromTarget, path: string, params: Record<string, string>): Promise<PromResult> {
  const url = `${joinUrl(t.url, path)}?${new URLSearchParams(params)}`;
  if (isMixedContent(t.env.pageProtocol, url)) return { ok: false, failure: { kind: 'mixed-content' } };
  const timeout = AbortSignal.timeout(t.timeoutMs);
  const signal = t.signal ? AbortSignal.any([timeout, t.signal]) : timeout;
  try {
    const res = await t.env.fetch(url, { headers: promAuthHeaders(t.credential), signal, cache: 'no-store' });
    return parseApiResponse(res.status, await res.text());
  } catch {
    if (t.signal?.aborted) throw new PromCancelled('stopped');
    if (timeout.aborted) return { ok: false, failure: { kind: 'timeout', ms: t.timeoutMs } };
    return { ok: false, failure: await corsOrUnreachable(t) };
  }
}

/** An instant query at `time` (seconds; now when absent). Prometheus' own limit is set a little under ours. */
export function promQuery(t: PromTarget, expr: string, time?: number): Promise<PromResult> {
  const params: Record<string, string> = { query: expr, timeout: `${Math.max(1, Math.floor(t.timeoutMs / 1000) - 1)}s` };
  if (time !== undefined) params.time = String(time);
  return promGet(t, '/api/v1/query', params);
}

/** A range query from `start` to `end` (seconds) every `step` seconds. */
export function promQueryRange(t: PromTarget, expr: string, start: number, end: number, step: number): Promise<PromResult> {
  return promGet(t, '/api/v1/query_range', {
    query: expr, start: String(start), end: String(end), step: String(step), timeout: `${Math.max(1, Math.floor(t.timeoutMs / 1000) - 1)}s`,
  });
}

/**
 * Range series on one time grid, uPlot-ready: xs from start to end every step, one column per series with
 * null where Prometheus had no point (a hole: target down, series absent) and for NaN and ±Inf.
 */
export function alignMatrix(series: RangeSeries[], start: number, end: number, step: number): { xs: number[]; ys: (number | null)[][] } {
  const n = Math.max(0, Math.floor((end - start) / step + 1e-9) + 1);
  const xs = Array.from({ length: n }, (_, i) => start + i * step);
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array(n).fill(null);
    for (let i = 0; i < s.ts.length; i++) {
      const at = Math.round((s.ts[i] - start) / step);
      if (at >= 0 && at < n && Number.isFinite(s.values[i])) col[at] = s.values[i];
    }
    return col;
  });
  return { xs, ys };
}

// Prometheus' web config checks the password on every request, the browser's CORS preflight included,
// and browsers never send credentials there: measured against Prometheus 2.42 (OPTIONS answered 401
// without CORS headers), so the right password fails in the browser exactly like a wrong one.
const OWN_BASIC_AUTH = ' Prometheus\' own basic auth (basic_auth_users in its --web.config.file) cannot be read from a page at another address: it asks for the password on the browser\'s preflight request too, which browsers send without credentials, so the answer is blocked whatever the password. Put a proxy in front that answers OPTIONS itself, or serve the dashboard and Prometheus from one address.';

function explainApi(f: Extract<PromFailure, { kind: 'api' }>): string {
  if (f.errorType === 'timeout' || /query timed out/i.test(f.error)) {
    return 'Prometheus gave up on the query (it timed out). Pick a shorter time range, or raise --query.timeout on the Prometheus server.';
  }
  if (/too many samples/i.test(f.error)) {
    return 'The query would read more samples than Prometheus allows (--query.max-samples). Pick a shorter time range or fewer instances, or raise that limit.';
  }
  if (f.errorType === 'canceled') return 'Prometheus cancelled the query (it was shutting down or overloaded). It is tried again on the next refresh.';
  if (f.errorType === 'bad_data') return `Prometheus did not accept the query: ${f.error}`;
  return `Prometheus could not run the query (${f.errorType}, HTTP ${f.status}): ${f.error}`;
}

/** One or two sentences on why a Prometheus request failed and what to do. */
export function explainPromFailure(f: PromFailure, ctx: { url: string; hasCredential: boolean; pageOrigin?: string | null }): string {
  switch (f.kind) {
    case 'timeout':
      return `No answer from Prometheus at ${ctx.url} within ${Math.round(f.ms / 100) / 10} s. It may be overloaded, or a firewall may drop the traffic.`;
    case 'mixed-content':
      return `This dashboard is open over https, and browsers do not let an https page fetch a plain http:// address like ${ctx.url} (mixed content). Open the dashboard over http (for example from http://localhost), or give Prometheus an https:// address (a TLS proxy in front of it).`;
    case 'cors':
      return `Something answered at ${ctx.url}, but the browser blocked the answer (CORS) for this page${ctx.pageOrigin ? ` (${ctx.pageOrigin})` : ''}. Prometheus allows every origin unless --web.cors.origin narrows it: add this origin there. If an authenticating proxy sits in front, it must answer the browser's OPTIONS request without credentials and add Access-Control-Allow-Origin (and Allow-Headers: Authorization) to every reply, its 401s included.${ctx.hasCredential ? OWN_BASIC_AUTH : ''}`;
    case 'unreachable':
      return `Cannot reach Prometheus at ${ctx.url}. Check that it runs and listens there (by default on port 9090) and that no firewall blocks the port.`;
    case 'api':
      return explainApi(f);
    case 'http':
      if (f.status === 401 || f.status === 403) {
        return ctx.hasCredential
          ? `Prometheus (or the proxy in front of it) refused the credentials (${f.status}). Check the token or user and password in the endpoint settings.`
          : `Prometheus (or the proxy in front of it) needs credentials (${f.status}). Enter a bearer token or "Basic user:password" in the endpoint settings.`;
      }
      if (f.status === 404) return `${ctx.url} has no Prometheus API (404 on /api/v1). Check the address, including any path prefix (--web.route-prefix).`;
      return `Unexpected answer ${f.status} from ${ctx.url}${f.body ? `: ${f.body.slice(0, 200)}` : ''}.`;
    case 'bad-body':
      return `The answer from ${ctx.url} is not what Prometheus returns (${f.detail}). Is another program or a proxy answering there?`;
  }
}
