import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { standIn, sleep, type StandIn } from './harness';
import { parsePrometheus } from '../../../src/lib/prometheus';

let server: StandIn | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/llama-server/${p}`, import.meta.url), 'utf8');

describe('stand-in llama-server', () => {
  it('reflects the Origin and answers preflights without a key, like the real server', async () => {
    server = await standIn({ apiKey: 'secret123', traffic: 'idle' });
    const pre = await fetch(`${server.url}/metrics`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://example.org');
    expect(pre.headers.get('access-control-allow-headers')).toBe('*');
    const denied = await fetch(`${server.url}/metrics`, { headers: { Origin: 'https://example.org' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('https://example.org');
    expect(await denied.text()).toBe(fixture('apikey/metrics.nokey.body.json'));
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`, { headers: { 'X-Api-Key': 'secret123' } })).status).toBe(200);
  });

  it('serves the captured /metrics layout with counters that only move when requests end', async () => {
    server = await standIn({ traffic: 'idle' });
    const read = async () => parsePrometheus(await (await fetch(`${server!.url}/metrics`)).text());
    const first = await read();
    expect(first.errors).toEqual([]);
    expect(first.samples.map((s) => s.name)).toEqual(parsePrometheus(fixture('single/metrics-0-startup.body.txt')).samples.map((s) => s.name));
    server.control({ generating: { tokens: 500, ms: 600 } });
    await sleep(300);
    const mid = await read();
    const v = (r: typeof mid, n: string) => r.samples.find((s) => s.name === `llamacpp:${n}`)!.value;
    expect(v(mid, 'tokens_predicted_total')).toBe(0);
    expect(v(mid, 'requests_processing')).toBe(1);
    await sleep(500);
    const after = await read();
    expect(v(after, 'tokens_predicted_total')).toBe(500);
    expect(v(after, 'requests_processing')).toBe(0);
    server.control({ restart: true });
    expect(v(await read(), 'tokens_predicted_total')).toBe(0);
  });
});
