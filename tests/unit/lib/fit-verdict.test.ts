import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitReport } from '../../../src/lib/fit-verdict';
import { readModel, type GgufSummary } from '../../../src/lib/gguf-model';
import { buildGguf, virtualFile } from '../../fixtures/gguf/write-gguf.mjs';

const MODELS = JSON.parse(readFileSync('tests/fixtures/llama-server/memory/models.json', 'utf8'));
const MiB = 1024 * 1024;

async function gqa(): Promise<GgufSummary> {
  const f = buildGguf(MODELS['gqa-f16'].metadata, MODELS['gqa-f16'].tensors);
  return readModel([{ name: 'gqa.gguf', size: f.size, lastModified: 0, read: virtualFile(f).read }]);
}

/** A GPU with `freeMiB` free once nothing else is counted. */
const gpu = (id: string, freeMiB: number) => ({ id, label: `GPU ${id}`, totalBytes: (freeMiB + 100) * MiB, usedBytes: 100 * MiB });

describe('fitReport', () => {
  it('says it fits when every GPU keeps the --fit-target margin free, and that --fit changes nothing', async () => {
    const r = fitReport(await gqa(), { '--ctx-size': 8192 }, [gpu('0', 2048)]);
    expect(r.gpus[0]).toMatchObject({ kind: 'fits', advice: '' });
    expect(r.fitNote).toContain('finds nothing to change');
  });

  it('names the -ngl that fits when the GPU is too small, and that --fit would do it when -ngl is unset', async () => {
    const m = await gqa();
    // With -fitt 0 the GPU must hold weights + KV + compute: find a size that holds only some layers.
    const all = fitReport(m, { '--ctx-size': 8192, '--fit-target': 0 }, [gpu('0', 10_000)]);
    const needAll = all.gpus[0].needBytes / MiB;
    const r = fitReport(m, { '--ctx-size': 8192, '--fit-target': 0 }, [gpu('0', Math.floor(needAll * 0.85))]);
    expect(r.gpus[0].kind).toBe('cpu-layers');
    expect(r.gpus[0].cpuLayers).toBeGreaterThan(0);
    expect(r.gpus[0].advice).toMatch(/^set -ngl \d+$/);
    const ngl = Number(r.gpus[0].advice.split(' ').pop());
    const check = fitReport(m, { '--ctx-size': 8192, '--fit-target': 0, '--gpu-layers': ngl }, [gpu('0', Math.floor(needAll * 0.85))]);
    expect(check.gpus[0].kind).toBe('fits');
    expect(r.fitNote).toContain(`--fit on (the default) moves layers to the CPU (about -ngl ${ngl})`);
  });

  it('with -c unset, says --fit would lower the context, to a size that fits', async () => {
    const m = await gqa();
    const full = fitReport(m, { '--fit-target': 0, '--parallel': 1 }, [gpu('0', 10_000)]);
    const free = Math.floor((full.gpus[0].needBytes / MiB) * 0.9);
    const r = fitReport(m, { '--fit-target': 0, '--parallel': 1 }, [gpu('0', free)]);
    const ctx = Number(r.fitNote.match(/from 8,192 to about ([\d,]+) tokens/)![1].replace(/,/g, ''));
    expect(ctx).toBeGreaterThanOrEqual(4096);
    expect(ctx).toBeLessThan(8192);
    expect(fitReport(m, { '--fit-target': 0, '--parallel': 1, '--ctx-size': ctx }, [gpu('0', free)]).gpus[0].kind).toBe('fits');
    expect(fitReport(m, { '--fit-target': 0, '--parallel': 1, '--ctx-size': ctx + 256 }, [gpu('0', free)]).gpus[0].kind).not.toBe('fits');
  });

  it('for a MoE model, keeps the experts of the first layers on the CPU rather than whole layers', async () => {
    const base = MODELS['gqa-f16'];
    const experts = [0, 1, 2, 3, 4, 5].map((i) => ({ name: `blk.${i}.ffn_up_exps.weight`, shape: [256, 512, 8], type: 'F16' }));
    const f = buildGguf({ ...base.metadata, 'llama.expert_count': 8, 'llama.expert_used_count': 2 }, [...base.tensors, ...experts]);
    const m = await readModel([{ name: 'moe.gguf', size: f.size, lastModified: 0, read: virtualFile(f).read }]);
    const args = { '--ctx-size': 4096, '--parallel': 1, '--fit-target': 0 };
    const need = fitReport(m, args, [gpu('0', 10_000)]).gpus[0].needBytes / MiB;
    const r = fitReport(m, args, [gpu('0', Math.floor(need - 5))]);
    expect(r.gpus[0]).toMatchObject({ kind: 'cpu-layers', experts: true, advice: `set --n-cpu-moe ${r.gpus[0].cpuLayers}` });
    expect(fitReport(m, { ...args, '--n-cpu-moe': r.gpus[0].cpuLayers }, [gpu('0', Math.floor(need - 5))]).gpus[0].kind).toBe('fits');
  });

  it('says --fit cannot help when -ngl and -c are set, and does not fit when not even one layer does', async () => {
    const m = await gqa();
    const r = fitReport(m, { '--ctx-size': 8192, '--gpu-layers': 99 }, [gpu('0', 1030)]);
    expect(r.gpus[0].kind).toBe('no-fit');
    expect(r.gpus[0].advice).toContain('lower -c');
    expect(r.fitNote).toContain('--fit on cannot help: you set -ngl and -c yourself');
    expect(fitReport(m, { '--fit': 'off' }, [gpu('0', 1)]).fitNote).toContain('--fit is off');
  });

  it('without an exporter GPU it still splits for one GPU and says how to check', async () => {
    const r = fitReport(await gqa(), { '--gpu-layers': 3 }, []);
    expect(r.gpus).toEqual([]);
    expect(r.estimate.weights.gpu).toHaveLength(1);
    expect(r.fitNote).toContain('No exporter reports a GPU');
  });
});
