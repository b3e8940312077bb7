import { describe, expect, it } from 'vitest';
import { toolCandidates } from '../../../exporter/find-tool';
import { DEFAULT_PORT, duration, parseOptions } from '../../../exporter/options';
import { originAllowed } from '../../../exporter/server';

const run = (argv: string[], env: Record<string, string> = {}, platform = 'linux') => {
  const r = parseOptions(argv, env, platform);
  if (r.kind !== 'run') throw new Error(JSON.stringify(r));
  return r.options;
};

describe('options', () => {
  it('defaults: loopback only, a port clear of llama-server, Prometheus and common exporters, 1 s, 24 h, no llama-server', () => {
    const o = run([]);
    expect(o).toMatchObject({ host: '127.0.0.1', intervalMs: 1000, historyMs: 86_400_000, token: null, diskPaths: ['/'],
      llama: [], llamaIntervalMs: 1000, llamaHistoryMs: 86_400_000 });
    expect([8080, 9090, 9100, 9400, 9835]).not.toContain(DEFAULT_PORT);
    expect(run([], {}, 'win32').diskPaths).toEqual(['C:\\']);
  });

  it('takes env, and a flag wins over its env variable', () => {
    const o = run(['--port=9999', '--disk', '/a', '--disk', '/b,/c'], {
      LLAMADASH_EXPORTER_PORT: '1234', LLAMADASH_EXPORTER_INTERVAL: '2s', LLAMADASH_EXPORTER_DISKS: '/x',
      LLAMADASH_EXPORTER_CORS: 'https://a.example/, https://b.example', LLAMADASH_EXPORTER_HISTORY: '30m',
    });
    expect(o).toMatchObject({ port: 9999, intervalMs: 2000, diskPaths: ['/a', '/b', '/c'], historyMs: 1800_000,
      corsOrigins: ['https://a.example', 'https://b.example'] });
  });

  it('watches llama-servers from flags (repeatable) or the env list, with keys per canonical address', () => {
    const o = run(['--llama', '127.0.0.1:8080/', '--llama=http://GPU-box:8081', '--llama-key-file', 'http://127.0.0.1:8080=/etc/k=1', '--llama-interval', '5s', '--llama-history', '2h'],
      { LLAMADASH_EXPORTER_LLAMA: 'http://other:1', LLAMADASH_EXPORTER_LLAMA_KEYS: 'gpu-box:8081=sk' });
    expect(o).toMatchObject({ llama: ['http://127.0.0.1:8080', 'http://gpu-box:8081'], llamaKeyFiles: [{ url: 'http://127.0.0.1:8080', path: '/etc/k=1' }],
      llamaKeys: [{ url: 'http://gpu-box:8081', key: 'sk' }], llamaIntervalMs: 5000, llamaHistoryMs: 7200_000 });
    expect(run([], { LLAMADASH_EXPORTER_LLAMA: 'a:1, b:2' }).llama).toEqual(['http://a:1', 'http://b:2']);
  });

  it('refuses a key for a server not watched, a key as a flag, and a bad address, without echoing a key', () => {
    const stray = parseOptions(['--llama', 'a:1'], { LLAMADASH_EXPORTER_LLAMA_KEYS: 'b:2=sk-secret' }, 'linux');
    expect(stray).toMatchObject({ kind: 'error', message: expect.stringContaining('http://b:2, which is not watched') });
    const flag = parseOptions(['--llama', 'a:1', '--llama-keys', 'a:1=sk-secret'], {}, 'linux');
    expect(flag).toMatchObject({ kind: 'error', message: expect.stringContaining('LLAMADASH_EXPORTER_LLAMA_KEYS') });
    const bare = parseOptions(['--llama', 'a:1'], { LLAMADASH_EXPORTER_LLAMA_KEYS: 'sk-secret' }, 'linux');
    expect(bare.kind).toBe('error');
    for (const r of [stray, flag, bare]) expect(JSON.stringify(r)).not.toContain('sk-secret');
    expect(parseOptions(['--llama', 'ftp://x'], {}, 'linux')).toMatchObject({ kind: 'error', message: expect.stringContaining('http://') });
  });

  it('explains bad values', () => {
    expect(parseOptions(['--port', '70000'], {}, 'linux')).toMatchObject({ kind: 'error', message: expect.stringContaining('port') });
    expect(parseOptions(['--interval', 'soon'], {}, 'linux')).toMatchObject({ kind: 'error', message: expect.stringContaining('duration') });
    expect(parseOptions(['--token'], {}, 'linux')).toMatchObject({ kind: 'error', message: expect.stringContaining('needs a value') });
    expect(duration('1.5s', 'x')).toBe(1500);
    expect(run(['--interval', '10']).intervalMs).toBe(100);
  });
});

describe('originAllowed', () => {
  it('by default admits only pages served from this machine', () => {
    expect(originAllowed('http://localhost:5173', ['loopback'])).toBe(true);
    expect(originAllowed('http://127.0.0.1:8080', ['loopback'])).toBe(true);
    expect(originAllowed('http://[::1]:4173', ['loopback'])).toBe(true);
    expect(originAllowed('https://evil.example', ['loopback'])).toBe(false);
    expect(originAllowed('http://localhost.evil.example', ['loopback'])).toBe(false);
    expect(originAllowed('null', ['loopback'])).toBe(false);
  });

  it('matches listed origins exactly, or any with *', () => {
    expect(originAllowed('https://Dash.example', ['https://dash.example'])).toBe(true);
    expect(originAllowed('http://localhost:5173', ['https://dash.example'])).toBe(false);
    expect(originAllowed('https://x.example', ['*'])).toBe(true);
  });
});

describe('toolCandidates', () => {
  it('looks for nvidia-smi.exe on PATH, then in the driver folders, on Windows', () => {
    const c = toolCandidates('nvidia-smi', 'win32', { Path: 'C:\\Tools;D:\\bin', PATHEXT: '.COM;.EXE', ProgramW6432: 'C:\\Program Files', SystemRoot: 'C:\\Windows' });
    expect(c).toContain('C:\\Tools\\nvidia-smi.exe');
    expect(c).toContain('D:\\bin\\nvidia-smi.exe');
    expect(c.slice(-2)).toEqual(['C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe', 'C:\\Windows\\System32\\nvidia-smi.exe']);
  });

  it('searches PATH in order, then the usual Linux places', () => {
    const c = toolCandidates('nvidia-smi', 'linux', { PATH: '/opt/fake:/usr/bin' });
    expect(c[0]).toBe('/opt/fake/nvidia-smi');
    expect(c).toContain('/usr/lib/wsl/lib/nvidia-smi');
  });
});
