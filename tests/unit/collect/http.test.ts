import { afterEach, describe, expect, it } from 'vitest';
import { request, type HttpEnv } from '../../../src/collect/http';
import { explainFetchFailure, isMixedContent, type FetchFailure } from '../../../src/lib/explain-fetch-error';
import { MAX_BODY_BYTES } from '../../../src/lib/limits';
import { standIn, type StandIn } from './harness';
import { readFileSync } from 'node:fs';

let server: StandIn | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const node: HttpEnv = { fetch, pageProtocol: null, pageOrigin: null };
const ctx = { url: 'http://192.168.1.20:8080', path: '/metrics', hasApiKey: false, pageOrigin: 'https://dash.example.org' };

describe('request classification', () => {
  it('refuses http:// LAN addresses from an https page before fetching (mixed content)', async () => {
    let called = false;
    const env: HttpEnv = { fetch: (async () => ((called = true), new Response(''))) as typeof fetch, pageProtocol: 'https:', pageOrigin: 'https://dash.example.org' };
    const r = await request(env, 'http://192.168.1.20:8080', '/health', { timeoutMs: 500 });
    expect(r).toEqual({ ok: false, failure: { kind: 'mixed-content' } });
    expect(called).toBe(false);
    expect(isMixedContent('https:', 'http://localhost:8080/health')).toBe(false);
    expect(isMixedContent('https:', 'http://127.0.0.1:8080/health')).toBe(false);
    expect(isMixedContent('http:', 'http://192.168.1.20:8080/health')).toBe(false);
  });

  it('returns the body of an error status so the server message can be shown', async () => {
    server = await standIn({ traffic: 'idle', apiKey: 'k' });
    const r = await request(node, server.url, '/metrics', { timeoutMs: 1000 });
    const captured = readFileSync(new URL('../../fixtures/llama-server/apikey/metrics.nokey.body.json', import.meta.url), 'utf8');
    expect(r).toEqual({ ok: false, failure: { kind: 'http', status: 401, body: captured } });
  });
});

describe('request timeout', () => {
  it('stops its timer once the answer is in, and still times out a request that hangs', async () => {
    let seen: AbortSignal | undefined;
    const answer: HttpEnv = { fetch: (async (_url: string, init: RequestInit) => ((seen = init.signal!), new Response('ok'))) as typeof fetch, pageProtocol: null, pageOrigin: null };
    expect(await request(answer, 'http://127.0.0.1:1', '/health', { timeoutMs: 50 })).toEqual({ ok: true, status: 200, text: 'ok' });
    // A timeout left to fire after the answer (AbortSignal.timeout's) wakes the worker once per request for nothing.
    await new Promise((r) => setTimeout(r, 150));
    expect(seen?.aborted).toBe(false);
    const hang: HttpEnv = {
      fetch: ((_url: string, init: RequestInit) => new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(new Error('aborted'))))) as typeof fetch,
      pageProtocol: null, pageOrigin: null,
    };
    expect(await request(hang, 'http://127.0.0.1:1', '/health', { timeoutMs: 50 })).toEqual({ ok: false, failure: { kind: 'timeout', ms: 50 } });
  });
});

describe('explainFetchFailure', () => {
  it('says what to do for each kind of failure', () => {
    expect(explainFetchFailure({ kind: 'mixed-content' }, ctx)).toMatch(/open the dashboard over http.*TLS proxy/i);
    expect(explainFetchFailure({ kind: 'cors' }, ctx)).toMatch(/CORS.*https:\/\/dash\.example\.org.*--cors-origins/);
    expect(explainFetchFailure({ kind: 'unreachable' }, ctx)).toMatch(/Cannot reach 192\.168\.1\.20:8080.*--host.*local network/);
    expect(explainFetchFailure({ kind: 'timeout', ms: 2500 }, ctx)).toMatch(/within 2\.5 s/);
    const loading = readFileSync(new URL('../../fixtures/llama-server/loading/metrics-while-loading.body.json', import.meta.url), 'utf8');
    expect(explainFetchFailure({ kind: 'http', status: 503, body: loading }, ctx)).toMatch(/model is loading/);
    expect(explainFetchFailure({ kind: 'http', status: 501, body: '' }, ctx)).toMatch(/--metrics/);
    expect(explainFetchFailure({ kind: 'http', status: 501, body: '' }, { ...ctx, path: '/slots' })).toMatch(/--no-slots/);
    expect(explainFetchFailure({ kind: 'http', status: 401, body: '' }, { ...ctx, hasApiKey: true })).toMatch(/refused the API key/);
    const notFound = readFileSync(new URL('../../fixtures/llama-server/errors/not-found-404.body.json', import.meta.url), 'utf8');
    expect(explainFetchFailure({ kind: 'http', status: 404, body: notFound }, { ...ctx, path: '/props' })).toMatch(/"File Not Found"/);
  });
});

describe('body size limit', () => {
  /** A 50 MB body produced on demand, counting what the reader pulled and whether it was cancelled. */
  function hugeStub() {
    const chunk = new TextEncoder().encode('llamacpp:requests_processing 0\n'.repeat(2048));
    const seen = { pulled: 0, cancelled: false };
    const stub = (async () => new Response(new ReadableStream<Uint8Array>({
      pull(c) {
        if (seen.pulled >= 50 * 1024 * 1024) return c.close();
        seen.pulled += chunk.byteLength;
        c.enqueue(chunk);
      },
      cancel() { seen.cancelled = true; },
    }, { highWaterMark: 0 }), { status: 200 })) as typeof fetch;
    return { seen, env: { fetch: stub, pageProtocol: null, pageOrigin: null } as HttpEnv };
  }

  it('cancels the reader past MAX_BODY_BYTES instead of buffering 50 MB, and says how much is allowed', async () => {
    const { seen, env } = hugeStub();
    const r = await request(env, 'http://127.0.0.1:1', '/metrics', { timeoutMs: 5000 });
    expect(r).toEqual({ ok: false, failure: { kind: 'too-large', limitBytes: MAX_BODY_BYTES } });
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThanOrEqual(MAX_BODY_BYTES + 128 * 1024);
    const text = explainFetchFailure((r as { failure: FetchFailure }).failure, { ...ctx, path: '/slots' });
    expect(text).toMatch(/^The server sent more than 4 MiB for \/slots; the dashboard stopped reading it there/);
  });

  it('refuses a body whose Content-Length is over the limit without reading it', async () => {
    let read = false;
    const body = new ReadableStream({ pull() { read = true; } }, { highWaterMark: 0 });
    const stub = (async () => new Response(body, { headers: { 'content-length': String(10 * MAX_BODY_BYTES) } })) as typeof fetch;
    const r = await request({ fetch: stub, pageProtocol: null, pageOrigin: null }, 'http://127.0.0.1:1', '/props', { timeoutMs: 1000 });
    expect(r).toEqual({ ok: false, failure: { kind: 'too-large', limitBytes: MAX_BODY_BYTES } });
    expect(read).toBe(false);
  });

  it('reads a body of exactly the limit', async () => {
    const text = 'x'.repeat(MAX_BODY_BYTES);
    const stub = (async () => new Response(text)) as typeof fetch;
    const r = await request({ fetch: stub, pageProtocol: null, pageOrigin: null }, 'http://127.0.0.1:1', '/metrics', { timeoutMs: 1000 });
    expect(r.ok && r.text.length).toBe(MAX_BODY_BYTES);
  });
});
