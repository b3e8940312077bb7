import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostHeaderLoopback, isLoopbackName } from '../../../exporter/server';
import { buildExporter, startExporter, type Running } from './harness';

/** A GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Host header check (DNS rebinding)', () => {
  it('takes loopback names and addresses with any port, and nothing else', () => {
    for (const h of ['localhost', 'LOCALHOST:8642', '127.0.0.1', '127.0.0.1:8642', '127.1.2.3:1', '[::1]', '[::1]:8642']) {
      expect(hostHeaderLoopback(h), h).toBe(true);
    }
    for (const h of [undefined, '', 'evil.example', 'evil.example:8642', 'localhost.evil.example', '127.0.0.1.evil.example',
      '127.0.0.256', '128.0.0.1', '[::2]:8642', '10.0.0.1:8642', '0.0.0.0', 'localhost:8642:1']) {
      expect(hostHeaderLoopback(h), String(h)).toBe(false);
    }
    expect(['127.0.0.1', '::1', 'localhost', '127.0.0.5'].every(isLoopbackName)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.2'].some(isLoopbackName)).toBe(false);
  });
});

describe('the built exporter on loopback and on all interfaces', () => {
  let file: string;
  let loop: Running;
  let all: Running;
  beforeAll(async () => {
    file = buildExporter();
    loop = await startExporter(file, 18214, ['--interval', '300ms']);
    all = await startExporter(file, 18215, ['--interval', '300ms', '--host', '0.0.0.0']);
  });
  afterAll(async () => {
    await loop?.stop();
    await all?.stop();
  });

  it('bound to 127.0.0.1, refuses a request whose Host names another site, with a reason', async () => {
    const forged = await getWithHost(18214, '/api/v1/snapshot', 'rebind.evil.example:18214');
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.body).error).toMatch(/only requests addressed to localhost/);
    expect((await getWithHost(18214, '/healthz', 'evil.example')).status).toBe(403);
    expect((await getWithHost(18214, '/healthz', 'localhost:18214')).status).toBe(200);
    expect((await getWithHost(18214, '/healthz', '[::1]:18214')).status).toBe(200);
    expect((await loop.get('/healthz')).status).toBe(200);
  });

  it('bound to 0.0.0.0 (reached by its network names), answers any Host', async () => {
    expect((await getWithHost(18215, '/healthz', 'gpu-box.lan:18215')).status).toBe(200);
  });
});
