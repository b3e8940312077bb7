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
  it('defaults: loopback only, a port clear of llama-server, Prometheus and common exporters, 1 s, 1 h', () => {
    const o = run([]);
    expect(o).toMatchObject({ host: '127.0.0.1', intervalMs: 1000, historyMs: 3600_000, token: null, diskPaths: ['/'] });
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
