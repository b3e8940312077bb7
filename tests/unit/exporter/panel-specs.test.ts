import { describe, expect, it } from 'vitest';
import { diskKey, gpuKey } from '../../../src/lib/host-snapshot';
import { discover, exporterKeys, gpuCharts, KEY_FILE, runCommand } from '../../../src/ui/exporter/exporter-specs';
import { parseOptions } from '../../../exporter/options';
import { spawnSync } from 'node:child_process';

describe('exporter panel specs', () => {
  it('finds watched paths and GPUs in stored keys, GPUs in numeric order', () => {
    const values = {
      cpu_util: 1, [diskKey('disk_total_bytes', '/data')]: 1, [diskKey('disk_total_bytes', 'C:\\')]: 1,
      [gpuKey('gpu_mem_total_bytes', '10')]: 1, [gpuKey('gpu_mem_total_bytes', '2')]: 1, [gpuKey('gpu_util', '99')]: 1,
    };
    expect(discover(values)).toEqual({ disks: ['/data', 'C:\\'], gpus: ['2', '10'] });
    expect(discover(undefined)).toEqual({ disks: [], gpus: [] });
  });

  it('asks for every key the charts and cards show', () => {
    const keys = exporterKeys(['/'], ['0']);
    for (const k of ['cpu_util', 'mem_used_bytes', 'mem_total_bytes', 'load1', 'disk_used_bytes{path="/"}', 'disk_total_bytes{path="/"}',
      'gpu_util{gpu="0"}', 'gpu_mem_used_bytes{gpu="0"}', 'gpu_mem_total_bytes{gpu="0"}', 'gpu_temp_c{gpu="0"}',
      'gpu_power_w{gpu="0"}', 'gpu_power_limit_w{gpu="0"}', 'gpu_fan_pct{gpu="0"}']) expect(keys).toContain(k);
    expect(gpuCharts('1').map((c) => c.unit)).toEqual(['percent', 'bytes', 'celsius', 'watts']);
  });

  it('names this page with --cors only when it is not served from the same machine', () => {
    expect(runCommand('http://127.0.0.1:4173')).toBe('node llama-dash-exporter.mjs');
    expect(runCommand('http://localhost:5173')).toBe('node llama-dash-exporter.mjs');
    expect(runCommand('https://dash.example')).toBe('node llama-dash-exporter.mjs --cors https://dash.example');
    expect(runCommand(null)).toBe('node llama-dash-exporter.mjs');
  });

  it('adds --llama for the servers the user has, a key file (never the key) for keyed ones, and the shell reads it back as the exporter expects', () => {
    const cmd = runCommand('http://127.0.0.1:4173', [{ url: 'http://127.0.0.1:8080', keyed: false }, { url: "http://gpu-box:8081/it's", keyed: true }]);
    expect(cmd).toContain('--llama http://127.0.0.1:8080 ');
    const argv = spawnSync('sh', ['-c', `set -- ${cmd.replace(/^node llama-dash-exporter\.mjs /, '')}; printf '%s\\0' "$@"`], { encoding: 'utf8' }).stdout.split('\0').slice(0, -1);
    const parsed = parseOptions(argv, {}, 'linux');
    expect(parsed).toMatchObject({ kind: 'run', options: {
      llama: ['http://127.0.0.1:8080', "http://gpu-box:8081/it's"],
      llamaKeyFiles: [{ url: "http://gpu-box:8081/it's", path: KEY_FILE }],
    } });
  });
});
