import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRocmSmiJson } from '../../src/lib/gpu-amd-smi';
import { AMD_DEVICE_FILES, AMD_HWMON_FILES, parseAmdSysfs, type AmdSysfsFiles } from '../../src/lib/gpu-amd-sysfs';
import { parseNvidiaCsv, parseNvidiaList } from '../../src/lib/gpu-nvidia-csv';
import type { GpuSample } from '../../src/lib/gpu-sample';

// Every real capture in ../shared/fixtures/gpu (or $FIXTURES_DIR/gpu) through the exporter's parsers.
const gpuDir = path.resolve(process.env.FIXTURES_DIR ?? '../shared/fixtures', 'gpu');
const list = (dir: string) => readdirSync(path.join(gpuDir, dir)).sort();
const read = (rel: string) => readFileSync(path.join(gpuDir, rel), 'utf8');

/** Plausible ranges: a parser that misreads a column or a unit lands outside them. */
function expectSane(g: GpuSample, where: string): void {
  const within = (v: number | null, lo: number, hi: number, what: string) => {
    if (v !== null) expect(v >= lo && v <= hi, `${where}: ${what}=${v}`).toBe(true);
  };
  expect(g.name, where).not.toBe('');
  within(g.utilPct, 0, 100, 'utilPct');
  within(g.memUtilPct, 0, 100, 'memUtilPct');
  within(g.fanPct, 0, 100, 'fanPct');
  within(g.tempC, -20, 130, 'tempC');
  within(g.powerW, 0, 2000, 'powerW');
  within(g.powerLimitW, 0, 2000, 'powerLimitW');
  within(g.memTotalBytes, 256 * 1024 ** 2, 512 * 1024 ** 3, 'memTotalBytes');
  if (g.memUsedBytes !== null && g.memTotalBytes !== null) expect(g.memUsedBytes <= g.memTotalBytes, where).toBe(true);
}

/** The body of one "# <title>" section of an nvidia_gpu_exporter capture. */
function section(text: string, title: RegExp): string | null {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => title.test(l));
  if (at < 0) return null;
  let i = at + 1;
  while (i < lines.length && !/^#{20,}/.test(lines[i])) i++;
  const body: string[] = [];
  for (i++; i < lines.length && !/^#{20,}/.test(lines[i]); i++) body.push(lines[i]);
  return body.join('\n');
}

describe.runIf(existsSync(gpuDir))('GPU captures', () => {
  describe('nvidia-smi --query-gpu CSV extracted from captures', () => {
    for (const f of list('nvidia-smi-csv/extracted_from_nvidia_gpu_exporter_captures')) {
      it(f, () => {
        const { gpus, errors } = parseNvidiaCsv(read(`nvidia-smi-csv/extracted_from_nvidia_gpu_exporter_captures/${f}`));
        expect(errors).toEqual([]);
        expect(gpus).toHaveLength(1);
        const [g] = gpus;
        expectSane(g, f);
        expect(g.index).toBe(0);
        expect(g.uuid).toMatch(/^GPU-/);
        expect(g.memTotalBytes).not.toBeNull();
        expect(g.memUsedBytes).not.toBeNull();
        expect(g.tempC).not.toBeNull();
        expect(g.powerW).not.toBeNull();
        if (/-mig__/.test(f)) expect(g).toMatchObject({ migMode: true, utilPct: null });
        else expect(g.utilPct).not.toBeNull();
        // Passively cooled data-centre boards report "[N/A]" for the fan: null, never 0.
        if (/h100|h200|l40s/.test(f)) expect(g.fanPct).toBeNull();
      });
    }
  });

  it('netdata Tesla P100 CSV: header with units, bare values, fan [N/A]', () => {
    const { gpus } = parseNvidiaCsv(read('nvidia-smi-csv/netdata__tesla-p100.csv'));
    expect(gpus).toHaveLength(1);
    expectSane(gpus[0], 'p100');
    expect(gpus[0]).toMatchObject({ name: 'Tesla P100-PCIE-16GB', fanPct: null, utilPct: 0, tempC: 37, powerW: 28.16 });
  });

  it('nvidia_gpu_exporter multi-row query: two GPUs with units on values', () => {
    const { gpus } = parseNvidiaCsv(read('nvidia-smi-csv/nvidia_gpu_exporter__testdata_query.txt'));
    expect(gpus.map((g) => [g.index, g.memUsedBytes, g.fanPct])).toEqual([[0, 575 * 1024 ** 2, 38], [1, 1234 * 1024 ** 2, 50]]);
    for (const g of gpus) expectSane(g, g.name);
  });

  describe('full nvidia_gpu_exporter captures (query-gpu sections and -L)', () => {
    for (const f of list('nvidia_gpu_exporter_captures').filter((n) => n.endsWith('.txt'))) {
      it(f, () => {
        const text = read(`nvidia_gpu_exporter_captures/${f}`);
        for (const state of ['idle', 'load']) {
          const body = section(text, new RegExp(`^# ${state} :: query-gpu`));
          expect(body, `${f} ${state}`).not.toBeNull();
          const { gpus } = parseNvidiaCsv(body!);
          expect(gpus).toHaveLength(1);
          expectSane(gpus[0], `${f} ${state}`);
        }
        const mig = parseNvidiaList(section(text, /^# capabilities :: list \(-L\)/) ?? '');
        expect([...mig.keys()]).toEqual([0]);
        const expected = /h100-mig/.test(f) ? 4 : /h200-mig/.test(f) ? 5 : 0;
        expect(mig.get(0)).toHaveLength(expected);
        for (const d of mig.get(0)!) expect(d.uuid).toMatch(/^MIG-/);
      });
    }
  });

  describe('AMD sysfs device trees', () => {
    for (const card of list('amd/sysfs_amdgpu-sysfs-rs')) {
      it(card, () => {
        const dev = path.join(gpuDir, 'amd/sysfs_amdgpu-sysfs-rs', card);
        const files: AmdSysfsFiles = {};
        const load = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined);
        for (const f of AMD_DEVICE_FILES) files[f] = load(path.join(dev, f));
        const hw = existsSync(path.join(dev, 'hwmon')) ? readdirSync(path.join(dev, 'hwmon')).filter((n) => /^hwmon\d+$/.test(n))[0] : undefined;
        if (hw) for (const f of AMD_HWMON_FILES) files[`hwmon/${f}`] = load(path.join(dev, 'hwmon', hw, f));
        const g = parseAmdSysfs(files, 0);
        expect(g).not.toBeNull();
        expectSane(g!, card);
        expect(g!.utilPct).not.toBeNull();
        expect(g!.tempC).not.toBeNull();
        expect(g!.powerW).not.toBeNull();
        // Snapshots without mem_info_vram_* must say unknown, not 0.
        if (files.mem_info_vram_total === undefined) expect(g!.memTotalBytes).toBeNull();
        else expect(g!.memTotalBytes).toBeGreaterThan(0);
      });
    }
  });

  describe('rocm-smi --json', () => {
    for (const f of list('amd').filter((n) => n.endsWith('.json'))) {
      it(f, () => {
        const text = read(`amd/${f}`);
        const cards = Object.keys(JSON.parse(text)).filter((k) => /^card\d+$/.test(k));
        const gpus = parseRocmSmiJson(text);
        expect(gpus).toHaveLength(cards.length);
        for (const g of gpus) {
          expectSane(g, `${f} card${g.index}`);
          expect(g.memTotalBytes, f).toBeGreaterThan(0);
          expect(g.tempC, f).not.toBeNull();
        }
      });
    }
  });
});
