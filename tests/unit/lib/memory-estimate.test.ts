import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readModel, type GgufSummary } from '../../../src/lib/gguf-model';
import { estimateMemory, type Args } from '../../../src/lib/memory-estimate';
import { buildGguf, virtualFile } from '../../fixtures/gguf/write-gguf.mjs';

const DIR = 'tests/fixtures/llama-server/memory';
const MODELS = JSON.parse(readFileSync(`${DIR}/models.json`, 'utf8')) as Record<string, { metadata: Record<string, unknown>; tensors: { name: string; shape: number[]; type: string; n_bytes: number }[] }>;
const MiB = 1024 * 1024;

/** The flags each log was made with (README.md of the fixture), as a configuration stores them. */
const RUNS: { log: string; model: string; args: Args }[] = [
  { log: 'tiny-c4096-np2.log', model: 'tiny', args: { '--ctx-size': 4096, '--parallel': 2 } },
  { log: 'gqa-c8192-np4.log', model: 'gqa-f16', args: { '--ctx-size': 8192, '--parallel': 4 } },
  { log: 'gqa-c8192-q8kv.log', model: 'gqa-f16', args: { '--ctx-size': 8192, '--parallel': 1, '--cache-type-k': 'q8_0', '--cache-type-v': 'q8_0', '--flash-attn': 'on' } },
  { log: 'gqa-c16384-np1-fit.log', model: 'gqa-f16', args: { '--ctx-size': 16384, '--parallel': 1, '--fit': 'on' } },
];

/** What llama-server printed at load, read from the log (MiB). */
function logged(log: string) {
  const text = readFileSync(`${DIR}/${log}`, 'utf8');
  const sum = (re: RegExp) => [...text.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
  const kv = text.match(/llama_kv_cache: size = +([\d.]+) MiB .*K \((\w+)\): +([\d.]+) MiB, V \((\w+)\): +([\d.]+) MiB/)!;
  return {
    weights: sum(/model buffer size = +([\d.]+) MiB/g), kv: Number(kv[1]), k: Number(kv[3]), v: Number(kv[5]),
    typeK: kv[2], typeV: kv[4], compute: sum(/compute buffer size = +([\d.]+) MiB/g),
  };
}

/** The model of a log, as a GGUF file read through the real header reader. */
async function model(name: string): Promise<GgufSummary> {
  const m = MODELS[name];
  const file = buildGguf(m.metadata, m.tensors);
  return readModel([{ name: `${name}.gguf`, size: file.size, lastModified: 0, read: virtualFile(file).read }]);
}

const pct = (est: number, log: number) => (Math.abs(est - log) / log) * 100;

describe('estimateMemory against real llama-server logs', () => {
  for (const run of RUNS) {
    it(`${run.log}: weights and KV within 5 %, compute buffers within 25 %`, async () => {
      const m = await model(run.model);
      const want = logged(run.log);
      const e = estimateMemory(m, run.args);
      expect(e.problems).toEqual([]);
      expect(e.weights.gpu).toEqual([]);
      expect(pct(e.weights.cpu / MiB, want.weights)).toBeLessThan(5);
      expect(pct((e.kv.cpu) / MiB, want.kv)).toBeLessThan(5);
      expect(pct(e.kv.k / MiB, want.k)).toBeLessThan(5);
      expect(pct(e.kv.v / MiB, want.v)).toBeLessThan(5);
      expect(e.settings.typeK.name.toLowerCase()).toBe(want.typeK);
      expect(pct(e.compute.cpu / MiB, want.compute)).toBeLessThan(25);
      // The figures for the accuracy table of the commit message and report.
      console.log(`${run.log}\tweights ${want.weights} vs ${(e.weights.cpu / MiB).toFixed(2)}\tKV ${want.kv} vs ${(e.kv.cpu / MiB).toFixed(2)}\tcompute ${want.compute} vs ${(e.compute.cpu / MiB).toFixed(2)} (${pct(e.compute.cpu / MiB, want.compute).toFixed(1)} %)`);
    });
  }
});

describe('placement of weights on GPUs', () => {
  const bytesOf = (m: GgufSummary, keep: (name: string) => boolean) => m.tensors.filter((t) => keep(t.name)).reduce((a, t) => a + t.bytes!, 0);
  const layer = (name: string) => Number(name.match(/^blk\.(\d+)\./)?.[1] ?? -1);
  const isOutput = (name: string) => name.startsWith('output');

  it('-ngl N puts the output layer and the last N-1 repeating layers on the GPU (llama.cpp: i_gpu_start = n_layer + 1 - ngl)', async () => {
    const m = await model('gqa-f16');
    for (const ngl of [0, 1, 3, 6, 7, 99]) {
      const e = estimateMemory(m, { '--gpu-layers': ngl }, [8e9]);
      const start = 6 + 1 - ngl;
      const onGpu = (n: string) => (isOutput(n) && ngl >= 1) || (layer(n) >= 0 && layer(n) >= start);
      expect(e.weights.gpu[0], `ngl ${ngl}`).toBe(bytesOf(m, onGpu));
      expect(e.weights.cpu, `ngl ${ngl}`).toBe(bytesOf(m, (n) => !onGpu(n)));
      expect(e.gpuLayers).toBe(Math.min(ngl, 7));
    }
  });

  it('reads -ngl under its older long name too (configurations migrated from schema 1)', async () => {
    const m = await model('gqa-f16');
    expect(estimateMemory(m, { '--n-gpu-layers': 3 }, [8e9]).gpuLayers).toBe(3);
  });

  it('keeps the token embeddings on the CPU even with every layer offloaded', async () => {
    const m = await model('gqa-f16');
    const e = estimateMemory(m, {}, [8e9]);
    expect(e.weights.cpu).toBe(bytesOf(m, (n) => n === 'token_embd.weight'));
  });

  it('splits layers over two GPUs by --tensor-split and moves the KV cache with them', async () => {
    const m = await model('gqa-f16');
    const e = estimateMemory(m, { '--tensor-split': '1,1', '--ctx-size': 8192, '--parallel': 1 }, [8e9, 8e9]);
    // 7 layer slots (6 + output) split at 0.5: slots 0..3 on GPU 0, 4..5 and output on GPU 1.
    expect(e.weights.gpu[0]).toBe(bytesOf(m, (n) => layer(n) >= 0 && layer(n) <= 3));
    expect(e.weights.gpu[1]).toBe(bytesOf(m, (n) => layer(n) >= 4 || isOutput(n)));
    expect(e.kv.gpu[0] / e.kv.gpu[1]).toBeCloseTo(4 / 2);
    expect(e.kv.cpu).toBe(0);
  });

  it('-ot and --n-cpu-moe keep matching tensors on the CPU', async () => {
    const m = await model('gqa-f16');
    const e = estimateMemory(m, { '--override-tensor': 'ffn_(up|gate)=CPU' }, [8e9]);
    expect(e.weights.cpu).toBe(bytesOf(m, (n) => n === 'token_embd.weight' || /ffn_(up|gate)/.test(n)));
    const moe = { ...MODELS['gqa-f16'], tensors: [...MODELS['gqa-f16'].tensors, ...[0, 1, 2].map((i) => ({ name: `blk.${i}.ffn_up_exps.weight`, shape: [256, 512, 4], type: 'F16', n_bytes: 0 }))] };
    const f = buildGguf(moe.metadata, moe.tensors);
    const mm = await readModel([{ name: 'moe.gguf', size: f.size, lastModified: 0, read: virtualFile(f).read }]);
    const e2 = estimateMemory(mm, { '--n-cpu-moe': 2 }, [8e9]);
    expect(e2.weights.cpu).toBe(bytesOf(mm, (n) => n === 'token_embd.weight' || /^blk\.[01]\.ffn_up_exps/.test(n)));
  });

  it('reports a tensor type it does not know instead of guessing its size', async () => {
    const m = MODELS.tiny;
    const f = buildGguf(m.metadata, [...m.tensors, { name: 'blk.0.new.weight', shape: [64, 64], typeId: 77, bytes: 4096 }]);
    const mm = await readModel([{ name: 'u.gguf', size: f.size, lastModified: 0, read: virtualFile(f).read }]);
    expect(estimateMemory(mm, {}).problems.join('\n')).toContain('Tensor type 77 is not in the type table: 1 tensors are not counted');
  });
});

describe('KV cache shape', () => {
  it('sizes SWA layers to the window plus a micro-batch, unless --swa-full', async () => {
    const md = { ...MODELS['gqa-f16'].metadata, 'llama.attention.sliding_window': 1024, 'llama.attention.sliding_window_pattern': [true, true, false, true, true, false] };
    const f = buildGguf(md, MODELS['gqa-f16'].tensors);
    const m = await readModel([{ name: 's.gguf', size: f.size, lastModified: 0, read: virtualFile(f).read }]);
    const perCell = 2 * 64 * 2; // K and V, 2 KV heads x 32, f16
    const e = estimateMemory(m, { '--ctx-size': 8192, '--parallel': 1 });
    expect(e.kv.cpu).toBe((2 * 8192 + 4 * 1536) * perCell);
    expect(estimateMemory(m, { '--ctx-size': 8192, '--parallel': 1, '--swa-full': true }).kv.cpu).toBe(6 * 8192 * perCell);
  });

  it('pads each slot of a split cache to 256 cells (-c 1024 -np 3 gives 3 x 512)', async () => {
    const m = await model('tiny');
    expect(estimateMemory(m, { '--ctx-size': 1024, '--parallel': 3 }).kv.cells).toBe(1536);
    expect(estimateMemory(m, { '--ctx-size': 1024, '--parallel': 3, '--kv-unified': true }).kv.cells).toBe(1024);
  });
});
