import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExporter, samplesDir, startExporter, waitFor, type Running } from './harness';

let file: string;
let r: Running;
const TOKEN = 's3cret-token';
const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };

beforeAll(async () => {
  file = buildExporter();
  r = await startExporter(file, 18210, ['--interval', '300ms', '--disk', '/,/does-not-exist', '--cors', 'https://dash.example'],
    { control: { mode: 'ok', gpus: 2 }, env: { LLAMADASH_EXPORTER_TOKEN: TOKEN } });
});
afterAll(async () => {
  await r?.stop();
});

describe('HTTP behaviour', () => {
  it('answers unknown paths 404, other methods 405, and a missing or wrong token 401', async () => {
    expect((await r.get('/nope', auth)).status).toBe(404);
    const post = await r.get('/metrics', { method: 'POST', ...auth });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toContain('GET');
    expect((await r.get('/api/v1/snapshot')).status).toBe(401);
    const wrong = await r.get('/metrics', { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await r.get('/api/v1/snapshot', auth)).status).toBe(200);
    expect((await r.get('/healthz')).status).toBe(200);
  });

  it('rejects a since that is not a number', async () => {
    expect((await r.get('/api/v1/history?since=yesterday', auth)).status).toBe(400);
  });

  it('lets an allowed origin preflight and read with Authorization, and refuses others', async () => {
    const pre = await r.get('/api/v1/snapshot', { method: 'OPTIONS', headers: {
      Origin: 'https://dash.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization',
      'Access-Control-Request-Private-Network': 'true' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect(pre.headers.get('access-control-allow-private-network')).toBe('true');
    const got = await r.get('/api/v1/snapshot', { headers: { Origin: 'https://dash.example', ...auth.headers } });
    expect(got.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    // A 401 carries CORS headers too, so the page can tell a wrong token from a network failure.
    const denied = await r.get('/api/v1/snapshot', { headers: { Origin: 'https://dash.example' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    const evil = await r.get('/api/v1/snapshot', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reports this machine\'s real host figures and a disk error in words', async () => {
    const s = await (await r.get('/api/v1/snapshot', auth)).json();
    expect(s.host.cpuCount).toBe(os.cpus().length);
    expect(s.host.memTotalBytes).toBeGreaterThan(0);
    expect(s.host.memUsedBytes).toBe(s.host.memTotalBytes - s.host.memAvailableBytes);
    expect(s.host.memSource).toBe('meminfo');
    const [root, missing] = s.host.disks;
    const df = spawnSync('df', ['-B1', '--output=size', '/'], { encoding: 'utf8' }).stdout.trim().split('\n')[1];
    expect(root.totalBytes).toBe(Number(df));
    expect(missing).toMatchObject({ path: '/does-not-exist', totalBytes: null });
    expect(missing.error).toMatch(/no such file/i);
    expect(Math.abs(s.host.bootTimeS - (Date.now() / 1000 - os.uptime()))).toBeLessThan(5);
  });

  it('serves /metrics that promtool accepts, with node_exporter names for host metrics', async () => {
    await new Promise((res) => setTimeout(res, 700));
    const res = await r.get('/metrics', auth);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    // Without this, a missing promtool read as 'nullnull: expected false to be true' below.
    expect(check.error?.message, "promtool (Debian's prometheus package) could not run").toBeUndefined();
    // promtool's linter flags node_exporter's own camelCase memory names; those names are kept on
    // purpose (fleet queries), so they are the only findings allowed. Any parse error exits 1.
    const findings = `${check.stdout}${check.stderr}`.trim().split('\n').filter(Boolean);
    expect(findings.every((f) => /^node_memory_Mem(Total|Available)_bytes .*camelCase/.test(f)), findings.join('\n')).toBe(true);
    expect([0, 3]).toContain(check.status);
    expect(text).toMatch(/^node_cpu_seconds_total\{cpu="0",mode="idle"\} \d/m);
    expect(text).toMatch(/^node_memory_MemAvailable_bytes \d+$/m);
    expect(text).toMatch(/^node_filesystem_avail_bytes\{mountpoint="\/"\} \d+$/m);
    expect(text).not.toMatch(/mountpoint="\/does-not-exist"/);
    expect(text).toMatch(/^llamadash_gpu_utilization_ratio\{gpu="1",uuid="GPU-00000001-aaaa-bbbb-cccc-000000000000",name="NVIDIA Stand-in 1",vendor="nvidia"\} 0\.38$/m);
  });
});

describe('snapshot stream', () => {
  /** Reads lines of `res` until `n` have come; the stream stays open. */
  async function lines(res: Response, n: number): Promise<{ ts: number; hostname: string; llama: unknown[] }[]> {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    const out = [];
    while (out.length < n) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        out.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    }
    await reader.cancel();
    return out;
  }

  it('sends the latest snapshot at once, then one line per new sample, on one open response', async () => {
    expect((await r.get('/api/v1/stream')).status).toBe(401);
    const ctl = new AbortController();
    const res = await r.get('/api/v1/stream', { ...auth, headers: { ...auth.headers, Origin: 'https://dash.example' }, signal: ctl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    const started = Date.now();
    const got = await lines(res, 4);
    ctl.abort();
    expect(got).toHaveLength(4);
    // The same object /api/v1/snapshot answers, sampled every 300 ms: times rise, a sample apart.
    expect(got[0].hostname).toBe(os.hostname());
    expect(Array.isArray(got[0].llama)).toBe(true);
    for (let i = 1; i < got.length; i++) expect(got[i].ts - got[i - 1].ts).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    // Sampled on the wall clock's multiples of 300 ms, where a dashboard polling every 300 ms ticks too
    // (a timer may fire a millisecond before its time).
    for (const line of got.slice(1)) expect(Math.min(line.ts % 300, 300 - (line.ts % 300))).toBeLessThan(100);
  });

  it('thins the lines to one per `every` ms for a dashboard polling slower than the exporter samples', async () => {
    expect((await r.get('/api/v1/stream?every=soon', auth)).status).toBe(400);
    const ctl = new AbortController();
    const res = await r.get('/api/v1/stream?every=900', { ...auth, signal: ctl.signal });
    const got = await lines(res, 3);
    ctl.abort();
    // Samples come every 300 ms; a line every third one.
    for (let i = 1; i < got.length; i++) expect(got[i].ts - got[i - 1].ts).toBeGreaterThanOrEqual(750);
  });

  it('refuses more than its limit of open streams, and frees a place when a reader goes', async () => {
    const { MAX_STREAMS } = await import('../../../exporter/server');
    const ctls = Array.from({ length: MAX_STREAMS }, () => new AbortController());
    const open = await Promise.all(ctls.map((c) => r.get('/api/v1/stream', { ...auth, signal: c.signal })));
    expect(open.every((x) => x.status === 200)).toBe(true);
    const refused = await r.get('/api/v1/stream', auth);
    expect(refused.status).toBe(503);
    expect((await refused.json()).error).toMatch(/poll \/api\/v1\/snapshot/);
    ctls[0].abort();
    await waitFor(async () => {
      const again = await r.get('/api/v1/stream', auth);
      if (again.status === 200) await again.body!.cancel();
      return again.status === 200;
    }, 5000, () => 'a freed stream place');
    for (const c of ctls) c.abort();
  });
});

describe('without any GPU', () => {
  it('is a normal state: healthy, empty GPU list, sources say absent', async () => {
    const bare = await startExporter(file, 18211, ['--interval', '300ms', '--sysfs-root', '/nonexistent'], { fake: false });
    try {
      const health = await bare.get('/healthz');
      expect(health.status).toBe(200);
      const s = await bare.json('/api/v1/snapshot');
      expect(s.gpus).toEqual([]);
      expect(s.sources.map((x: any) => [x.name, x.state])).toEqual([['nvidia-smi', 'absent'], ['amd-sysfs', 'absent']]);
      expect(await (await bare.get('/metrics')).text()).not.toMatch(/llamadash_gpu_/);
    } finally {
      await bare.stop();
    }
  });
});

describe('AMD through sysfs', () => {
  it('reads the cards of a DRM tree and skips other vendors', async () => {
    const amd = await startExporter(file, 18212, ['--interval', '300ms', '--nvidia-smi', 'off', '--sysfs-root', path.join(samplesDir, 'amd/sysfs/drm')]);
    try {
      const s = await amd.json('/api/v1/snapshot');
      expect(s.gpus.map((g: any) => [g.id, g.name, g.utilPct, g.tempC])).toEqual([
        ['0', 'AMD Radeon RX 6800 XT', 42, 61],
        ['2', 'AMD GPU 1002:7550', 9, 39],
      ]);
      expect(s.sources).toEqual([{ name: 'amd-sysfs', state: 'ok', message: null, restarts: 0 }]);
    } finally {
      await amd.stop();
    }
  });
});

describe('command line', () => {
  it('prints help with every option and its env variable, and refuses unknown options', () => {
    const help = spawnSync(process.execPath, [file, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const flag of ['--port', '--host', '--interval', '--cors', '--token', '--disk', '--history', '--nvidia-smi']) expect(help.stdout).toContain(flag);
    expect(help.stdout).toContain('LLAMADASH_EXPORTER_TOKEN');
    const bad = spawnSync(process.execPath, [file, '--bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown option "--bogus"');
  });

  it('says which port is taken instead of crashing with a stack trace', async () => {
    const second = spawnSync(process.execPath, [file, '--port', '18210', '--nvidia-smi', 'off'], { encoding: 'utf8', timeout: 10_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/port 18210 is taken/);
  });
});
