import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseAmdSmiJson, parseRocmSmiJson } from '../src/lib/gpu-amd-smi';
import { AMD_DEVICE_FILES, AMD_HWMON_FILES, isDrmCardName, parseAmdSysfs, type AmdSysfsFiles } from '../src/lib/gpu-amd-sysfs';
import type { GpuSample } from '../src/lib/gpu-sample';
import type { GpuSourceStatus } from '../src/lib/host-snapshot';
import { findTool } from './find-tool';
import { runOnce } from './run-once';

/** rocm-smi is a Python program costing ~0.5 s of CPU per run: never call it more often than this. */
const TOOL_MIN_PERIOD_MS = 5000;

/**
 * AMD GPUs on Linux. Reads the amdgpu sysfs files (no process, no root); only when no card shows
 * up there but rocm-smi or amd-smi is installed does it ask those tools instead.
 */
export class AmdSource {
  readonly #root: string;
  readonly #intervalMs: number;
  #status: GpuSourceStatus = { name: 'amd-sysfs', state: 'starting', message: null, restarts: 0 };
  #tool: { name: 'rocm-smi' | 'amd-smi'; path: string } | null | undefined;
  #toolRows: GpuSample[] = [];
  #toolBusy = false;
  #toolNextAt = 0;

  constructor(sysfsRoot: string, intervalMs: number) {
    this.#root = sysfsRoot;
    this.#intervalMs = intervalMs;
  }

  status(): GpuSourceStatus {
    return { ...this.#status };
  }

  async read(): Promise<GpuSample[]> {
    const cards = await this.#readSysfs();
    if (cards.length > 0) {
      this.#status = { ...this.#status, name: 'amd-sysfs', state: 'ok', message: null };
      return cards;
    }
    return this.#readTool();
  }

  async #readSysfs(): Promise<GpuSample[]> {
    let names: string[];
    try {
      names = (await readdir(this.#root)).filter(isDrmCardName);
    } catch {
      return [];
    }
    const out: GpuSample[] = [];
    for (const name of names.sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))) {
      const dev = path.join(this.#root, name, 'device');
      const files: AmdSysfsFiles = {};
      const read = (names: readonly string[]) =>
        Promise.all(names.map(async (f) => (files[f] = await readOrUndefined(path.join(dev, f)))));
      // The vendor first: the other files are read every tick, and only AMD cards have them.
      await read(['vendor', 'uevent']);
      if (!/1002/i.test(`${files.vendor ?? ''} ${files.uevent ?? ''}`)) continue;
      await read(AMD_DEVICE_FILES.filter((f) => f !== 'vendor' && f !== 'uevent'));
      const hwmon = await firstHwmon(dev);
      if (hwmon) {
        await Promise.all(AMD_HWMON_FILES.map(async (f) => (files[`hwmon/${f}`] = await readOrUndefined(path.join(hwmon, f)))));
      }
      const gpu = parseAmdSysfs(files, Number(name.slice(4)));
      if (gpu) out.push(gpu);
    }
    return out;
  }

  async #readTool(): Promise<GpuSample[]> {
    if (this.#tool === undefined) {
      const rocm = findTool('rocm-smi');
      const amd = rocm ? null : findTool('amd-smi');
      this.#tool = rocm ? { name: 'rocm-smi', path: rocm } : amd ? { name: 'amd-smi', path: amd } : null;
    }
    if (!this.#tool) {
      this.#status = { ...this.#status, state: 'absent', message: 'no AMD GPU found' };
      return [];
    }
    const now = Date.now();
    if (!this.#toolBusy && now >= this.#toolNextAt) {
      this.#toolBusy = true;
      this.#toolNextAt = now + Math.max(this.#intervalMs, TOOL_MIN_PERIOD_MS);
      void this.#runTool(this.#tool).finally(() => (this.#toolBusy = false));
    }
    return this.#toolRows;
  }

  async #runTool(tool: { name: 'rocm-smi' | 'amd-smi'; path: string }): Promise<void> {
    const args = tool.name === 'rocm-smi'
      ? ['--showuse', '--showmemuse', '--showmeminfo', 'vram', '--showtemp', '--showpower', '--showproductname', '--showuniqueid', '--showbus', '--json']
      : ['metric', '--json'];
    const r = await runOnce(tool.path, args, 15_000);
    try {
      if (!r.ok) throw new Error(r.error ?? 'failed');
      this.#toolRows = tool.name === 'rocm-smi' ? parseRocmSmiJson(r.stdout) : parseAmdSmiJson(r.stdout);
      this.#status = { name: tool.name, state: 'ok', message: null, restarts: 0 };
    } catch (e) {
      this.#toolRows = [];
      this.#status = { name: tool.name, state: 'error', message: `${tool.name}: ${(e as Error).message}`, restarts: 0 };
    }
  }
}

async function readOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function firstHwmon(dev: string): Promise<string | null> {
  try {
    const entries = (await readdir(path.join(dev, 'hwmon'))).filter((n) => /^hwmon\d+$/.test(n)).sort();
    return entries.length ? path.join(dev, 'hwmon', entries[0]) : null;
  } catch {
    return null;
  }
}
