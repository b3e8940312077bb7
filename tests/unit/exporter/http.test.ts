import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExporter, samplesDir, startExporter, type Running } from './harness';

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
