import { describe, expect, it } from 'vitest';
import { alignMatrix, explainPromFailure, parseApiResponse, parseSampleValue, promAuthHeaders, promQuery } from '../../../src/lib/prometheus-api';

// Small hand-written answers in the shapes Prometheus' HTTP API returns.
const vector = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'vector',
    result: [
      { metric: { job: 'llama', instance: 'a:8080' }, value: [1700000000.5, '12.5'] },
      { metric: { job: 'llama', instance: 'b:8080' }, value: [1700000000.5, 'NaN'] },
      { metric: { job: 'llama', instance: 'c:8080' }, value: [1700000000.5, '+Inf'] },
      { metric: { job: 'llama', instance: 'd:8080' }, value: [1700000000.5, '-Inf'] },
    ],
  },
});

describe('parseApiResponse', () => {
  it('reads a vector with NaN and ±Inf as numbers', () => {
    const r = parseApiResponse(200, vector);
    expect(r.ok).toBe(true);
    if (!r.ok || r.data.resultType !== 'vector') throw new Error('not a vector');
    expect(r.data.result.map((s) => s.value)).toEqual([12.5, NaN, Infinity, -Infinity]);
    expect(r.data.result[0]).toEqual({ labels: { job: 'llama', instance: 'a:8080' }, ts: 1700000000.5, value: 12.5 });
    expect(r.warnings).toEqual([]);
  });

  it('keeps warnings of a successful answer', () => {
    const r = parseApiResponse(200, JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] }, warnings: ['PromQL info: metric might not be a counter'] }));
    expect(r).toEqual({ ok: true, data: { resultType: 'vector', result: [] }, warnings: ['PromQL info: metric might not be a counter'] });
  });

  it('reads an empty result as no samples, not as an error', () => {
    const r = parseApiResponse(200, JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    expect(r.ok && r.data.resultType === 'vector' && r.data.result).toEqual([]);
  });

  it('reads a matrix and a scalar', () => {
    const m = parseApiResponse(200, JSON.stringify({
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: { instance: 'a' }, values: [[10, '1'], [20, '2'], [40, '4']] }] },
    }));
    expect(m.ok && m.data).toEqual({ resultType: 'matrix', result: [{ labels: { instance: 'a' }, ts: [10, 20, 40], values: [1, 2, 4] }] });
    const s = parseApiResponse(200, JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [5, '7'] } }));
    expect(s.ok && s.data).toEqual({ resultType: 'scalar', ts: 5, value: 7 });
  });

  it('turns the error envelope into a failure with its type and message', () => {
    const r = parseApiResponse(400, JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis' }));
    expect(r).toEqual({ ok: false, failure: { kind: 'api', status: 400, errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis' } });
  });

  it('tells a proxy page or another program from Prometheus', () => {
    expect(parseApiResponse(401, '<html>Unauthorized</html>')).toEqual({ ok: false, failure: { kind: 'http', status: 401, body: '<html>Unauthorized</html>' } });
    expect(parseApiResponse(200, '<html>hello</html>')).toMatchObject({ ok: false, failure: { kind: 'bad-body' } });
    expect(parseApiResponse(200, '{"data":1}')).toMatchObject({ ok: false, failure: { kind: 'bad-body' } });
    expect(parseApiResponse(200, JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: ['x', '1'] }] } })))
      .toMatchObject({ ok: false, failure: { kind: 'bad-body', detail: 'a vector sample is malformed' } });
  });
});

describe('parseSampleValue', () => {
  it('reads Prometheus sample strings', () => {
    expect([parseSampleValue('1e3'), parseSampleValue('Inf'), parseSampleValue(''), parseSampleValue(3)]).toEqual([1000, Infinity, NaN, NaN]);
  });
});

describe('alignMatrix', () => {
  it('puts a matrix with holes on the step grid with null in the holes and for NaN and Inf', () => {
    const { xs, ys } = alignMatrix([
      { labels: { instance: 'a' }, ts: [100, 110, 140], values: [1, 2, 5] },
      { labels: { instance: 'b' }, ts: [120, 130], values: [NaN, Infinity] },
    ], 100, 140, 10);
    expect(xs).toEqual([100, 110, 120, 130, 140]);
    expect(ys).toEqual([[1, 2, null, null, 5], [null, null, null, null, null]]);
  });
});

describe('promAuthHeaders', () => {
  it('sends bearer tokens and encodes Basic user:password', () => {
    expect(promAuthHeaders(null)).toEqual({});
    expect(promAuthHeaders('tok')).toEqual({ Authorization: 'Bearer tok' });
    expect(promAuthHeaders('Bearer tok')).toEqual({ Authorization: 'Bearer tok' });
    expect(promAuthHeaders('Basic ann:s3cret')).toEqual({ Authorization: `Basic ${Buffer.from('ann:s3cret').toString('base64')}` });
  });
});

describe('explainPromFailure', () => {
  const ctx = { url: 'http://prom:9090', hasCredential: false };
  it('words timeouts, max-samples, 401, CORS, mixed content and unreachable', () => {
    expect(explainPromFailure({ kind: 'api', status: 503, errorType: 'timeout', error: 'query timed out in expression evaluation' }, ctx)).toMatch(/timed out.*shorter time range/);
    expect(explainPromFailure({ kind: 'api', status: 422, errorType: 'execution', error: 'query processing would load too many samples into memory in query execution' }, ctx)).toMatch(/--query\.max-samples/);
    expect(explainPromFailure({ kind: 'http', status: 401, body: '' }, ctx)).toMatch(/needs credentials/);
    expect(explainPromFailure({ kind: 'http', status: 401, body: '' }, { ...ctx, hasCredential: true })).toMatch(/refused the credentials/);
    expect(explainPromFailure({ kind: 'cors' }, ctx)).toMatch(/authenticating proxy.*OPTIONS/);
    expect(explainPromFailure({ kind: 'cors' }, { ...ctx, hasCredential: false })).not.toContain('basic_auth_users');
    expect(explainPromFailure({ kind: 'cors' }, { ...ctx, hasCredential: true })).toContain('Prometheus\' own basic auth (basic_auth_users in its --web.config.file) cannot be read from a page at another address');
    expect(explainPromFailure({ kind: 'mixed-content' }, ctx)).toMatch(/mixed content/);
    expect(explainPromFailure({ kind: 'unreachable' }, ctx)).toMatch(/Cannot reach Prometheus at http:\/\/prom:9090/);
  });
});

describe('promQuery', () => {
  it('asks /api/v1/query with the expression, a time limit and the credential', async () => {
    const seen: { url: string; headers: unknown }[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, headers: init.headers });
      return new Response(vector, { status: 200 });
    }) as unknown as typeof globalThis.fetch;
    const r = await promQuery({ env: { fetch, pageProtocol: null, pageOrigin: null }, url: 'http://prom:9090', credential: 'Bearer t', timeoutMs: 5000 }, 'sum by (job) (up)');
    expect(r.ok).toBe(true);
    const u = new URL(seen[0].url);
    expect([u.pathname, u.searchParams.get('query'), u.searchParams.get('timeout')]).toEqual(['/api/v1/query', 'sum by (job) (up)', '4s']);
    expect(seen[0].headers).toEqual({ Authorization: 'Bearer t' });
  });

  it('refuses an http address from an https page without asking', async () => {
    const fetch = (() => { throw new Error('must not be called'); }) as unknown as typeof globalThis.fetch;
    const r = await promQuery({ env: { fetch, pageProtocol: 'https:', pageOrigin: 'https://dash.example' }, url: 'http://10.0.0.5:9090', credential: null, timeoutMs: 5000 }, 'up');
    expect(r).toEqual({ ok: false, failure: { kind: 'mixed-content' } });
  });
});
