/**
 * What llama-server will allocate for a model and a configuration, from the model's header: weights per
 * device (llama.cpp's layer placement rule), the KV cache (cells, layers, cache types, SWA) and compute
 * buffers. Checked against real llama-server logs in tests/fixtures/llama-server/memory.
 */
import { ggmlTypeByName, type GgmlType } from './ggml-types';
import type { GgufSummary } from './gguf-model';
import { modelShape, type ModelShape } from './model-shape';

/** Configuration arguments keyed by canonical flag, as model configurations store them. */
export type Args = Record<string, string | number | boolean | null | undefined>;

/** The settings of a configuration that memory depends on, with llama-server's defaults filled in. */
export interface MemorySettings {
  nCtx: number; nSeq: number; unified: boolean; nUbatch: number; flashAttn: boolean;
  typeK: GgmlType; typeV: GgmlType; ngl: number; nglSet: boolean; nCpuMoe: number; overrides: [RegExp, number][];
  splitMode: 'none' | 'layer' | 'row' | 'tensor'; tensorSplit: number[] | null; mainGpu: number; kvOffload: boolean;
  swaFull: boolean; fit: boolean; ctxSet: boolean;
}

/** Bytes per place: `gpu[i]` for GPU i, `cpu` for host memory. */
export interface Placement { gpu: number[]; cpu: number }

/** The estimate: each part per place, plus what could not be counted. */
export interface MemoryEstimate {
  settings: MemorySettings;
  shape: ModelShape;
  weights: Placement;
  kv: Placement & { k: number; v: number; cells: number; layers: number };
  compute: Placement;
  output: number;
  gpuLayers: number;
  problems: string[];
  notes: string[];
}

const PAD = 256;
const padUp = (n: number, p: number) => Math.ceil(n / p) * p;

function num(v: unknown, def: number): number {
  if (v === null || v === undefined || v === '') return def;
  const n = Number(v);
  return Number.isFinite(n) ? n : def;
}

/** Reads the memory-relevant flags of `args`, filling llama-server's defaults; `problems` collects bad values. */
export function memorySettings(args: Args, shape: ModelShape, problems: string[]): MemorySettings {
  const nParallel = num(args['--parallel'], -1);
  const nSeq = nParallel <= 0 ? 4 : nParallel;
  const unified = typeof args['--kv-unified'] === 'boolean' ? args['--kv-unified'] : nParallel <= 0;
  const ctxArg = num(args['--ctx-size'], 0);
  const cacheType = (flag: string): GgmlType => {
    const name = String(args[flag] ?? 'f16');
    const t = ggmlTypeByName(name);
    if (!t) problems.push(`${flag} ${name} is not a type this estimate knows; counted as f16`);
    return t ?? ggmlTypeByName('f16')!;
  };
  // Configurations migrated from schema 1 store the flag under its older long name.
  const nglArg = args['--gpu-layers'] ?? args['--n-gpu-layers'];
  const nglSet = nglArg !== undefined && nglArg !== null && nglArg !== '' && nglArg !== 'auto';
  const ngl = !nglSet || nglArg === 'all' || num(nglArg, -1) < 0 ? shape.nLayer + 1 : num(nglArg, 0);
  const overrides: [RegExp, number][] = [];
  for (const item of String(args['--override-tensor'] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.lastIndexOf('=');
    if (eq <= 0) { problems.push(`--override-tensor "${item}" is not pattern=buffer; ignored`); continue; }
    const buf = item.slice(eq + 1);
    let re: RegExp;
    try { re = new RegExp(item.slice(0, eq)); } catch { problems.push(`--override-tensor pattern "${item.slice(0, eq)}" is not a valid regular expression; ignored`); continue; }
    overrides.push([re, /^cpu/i.test(buf) ? -1 : Number(buf.match(/(\d+)$/)?.[1] ?? 0)]);
  }
  const ts = args['--tensor-split'];
  const tensorSplit = ts === undefined || ts === null || ts === '' ? null : String(ts).split(',').map((s) => Number(s.trim()));
  if (tensorSplit && tensorSplit.some((x) => !Number.isFinite(x) || x < 0)) problems.push(`--tensor-split ${ts} is not a list of numbers`);
  const sm = String(args['--split-mode'] ?? 'layer');
  const fa = String(args['--flash-attn'] ?? 'auto');
  return {
    nCtx: ctxArg > 0 ? ctxArg : shape.nCtxTrain, ctxSet: ctxArg > 0, nSeq, unified,
    nUbatch: Math.min(num(args['--ubatch-size'], 512), num(args['--batch-size'], 2048)),
    flashAttn: fa !== 'off' && fa !== 'false', typeK: cacheType('--cache-type-k'), typeV: cacheType('--cache-type-v'),
    ngl, nglSet, nCpuMoe: num(args['--n-cpu-moe'], 0), overrides,
    splitMode: (['none', 'layer', 'row', 'tensor'].includes(sm) ? sm : 'layer') as MemorySettings['splitMode'],
    tensorSplit: tensorSplit && tensorSplit.some((x) => x > 0) ? tensorSplit : null, mainGpu: num(args['--main-gpu'], 0),
    kvOffload: args['--kv-offload'] !== false, swaFull: args['--swa-full'] === true, fit: String(args['--fit'] ?? 'on') !== 'off',
  };
}

/** llama.cpp's split points: cumulative shares of --tensor-split, else of each GPU's free memory, else equal. */
function splitPoints(s: MemorySettings, nGpu: number, freeBytes: number[]): number[] {
  const raw = s.tensorSplit ? Array.from({ length: nGpu }, (_, i) => s.tensorSplit![i] ?? 0)
    : freeBytes.length === nGpu && freeBytes.every((f) => f > 0) ? freeBytes : Array(nGpu).fill(1);
  const sum = raw.reduce((a, b) => a + b, 0);
  let acc = 0;
  return raw.map((x) => (acc += x) / sum);
}

/**
 * The device of each layer slot 0..nLayer (nLayer is the output layer): -1 for the CPU, else a GPU index.
 * llama.cpp (llama-model.cpp load_tensors): i_gpu_start = n_layer + 1 - ngl, so the output layer goes to
 * the GPU first (any ngl >= 1), then the last ngl - 1 repeating layers; the input layer stays on the CPU.
 */
export function layerDevices(s: MemorySettings, nLayer: number, nGpu: number, freeBytes: number[] = []): number[] {
  const start = Math.max(nLayer + 1 - s.ngl, 0);
  const act = nGpu === 0 ? 0 : Math.min(s.ngl, nLayer + 1);
  const splits = splitPoints(s, nGpu, freeBytes);
  return Array.from({ length: nLayer + 1 }, (_, il) => {
    if (il < start || il - start >= act) return -1;
    if (s.splitMode === 'none') return Math.min(s.mainGpu, nGpu - 1);
    const f = (il - start) / act;
    const i = splits.findIndex((p) => p > f);
    return i < 0 ? nGpu - 1 : i;
  });
}

function layerOf(name: string, nLayer: number): number | null {
  const m = name.match(/^blk\.(\d+)\./);
  if (m) return Number(m[1]);
  return /^(token_embd|pos_embd|token_types|rope_)/.test(name) ? null : nLayer;
}

const MOE_RE = /^blk\.(\d+)\.ffn_(up|down|gate|gate_up)_(ch)?exps/;

/** Weight bytes per place for these settings, with `nGpu` GPUs (0: all on the CPU). */
export function placeWeights(m: GgufSummary, shape: ModelShape, s: MemorySettings, nGpu: number, freeBytes: number[] = []): { weights: Placement; devices: number[] } {
  const devices = layerDevices(s, shape.nLayer, nGpu, freeBytes);
  const w: Placement = { gpu: Array(nGpu).fill(0), cpu: 0 };
  const rowSplit = (s.splitMode === 'row' || s.splitMode === 'tensor') && nGpu > 1 ? splitPoints(s, nGpu, freeBytes) : null;
  const add = (dev: number, bytes: number, shapeLen: number) => {
    if (dev < 0 || nGpu === 0) { w.cpu += bytes; return; }
    if (rowSplit && shapeLen >= 2) {
      rowSplit.forEach((p, i) => { w.gpu[i] += bytes * (p - (i === 0 ? 0 : rowSplit[i - 1])); });
      return;
    }
    w.gpu[Math.min(dev, nGpu - 1)] += bytes;
  };
  for (const t of m.tensors) {
    const bytes = t.bytes ?? 0;
    const ov = s.overrides.find(([re]) => re.test(t.name));
    if (ov) { add(ov[1], bytes, 1); continue; }
    const moe = t.name.match(MOE_RE);
    if (moe && Number(moe[1]) < s.nCpuMoe) { w.cpu += bytes; continue; }
    const il = layerOf(t.name, shape.nLayer);
    add(il === null ? -1 : devices[il], bytes, t.shape.length);
  }
  if (shape.tiedOutput && devices[shape.nLayer] >= 0 && nGpu > 0) {
    // A model without output.weight reuses token_embd for the output layer; llama.cpp loads a second copy
    // of it on the output layer's device.
    add(devices[shape.nLayer], shape.tokenEmbdBytes, 2);
  }
  return { weights: w, devices };
}

/** KV cells per stream for full-attention and SWA layers, and the number of streams. */
export function kvCells(s: MemorySettings, shape: ModelShape): { full: number; swa: number; streams: number } {
  const streams = s.unified ? 1 : s.nSeq;
  const full = s.unified ? padUp(s.nCtx, PAD) : padUp(Math.floor(s.nCtx / s.nSeq), PAD);
  const swa = s.swaFull || shape.nSwa === 0 ? full : Math.min(full, padUp(shape.nSwa * (s.unified ? s.nSeq : 1) + s.nUbatch, PAD));
  return { full, swa, streams };
}

function rowBytes(t: GgmlType, elements: number): number {
  return (elements / t.blockSize) * t.bytesPerBlock;
}

/** Estimates memory for `m` under `args`, with GPUs of these free sizes (bytes; empty: CPU only). */
export function estimateMemory(m: GgufSummary, args: Args, gpuFreeBytes: number[] = [], nGpuIfUnknown = 0): MemoryEstimate {
  const problems: string[] = [];
  const notes: string[] = [];
  const shape = modelShape(m, problems);
  const s = memorySettings(args, shape, problems);
  const nGpu = gpuFreeBytes.length || nGpuIfUnknown;
  const { weights, devices } = placeWeights(m, shape, s, nGpu, gpuFreeBytes);
  const cells = kvCells(s, shape);
  const kv = { gpu: Array(nGpu).fill(0), cpu: 0, k: 0, v: 0, cells: 0, layers: 0 };
  for (let il = 0; il < shape.nLayer; il++) {
    const L = shape.layers[il];
    if (L.nHeadKv === 0) continue;
    const n = (L.swa ? cells.swa : cells.full) * cells.streams;
    const k = n * rowBytes(s.typeK, L.nHeadKv * L.headK);
    const v = n * rowBytes(s.typeV, L.nHeadKv * L.headV);
    kv.k += k; kv.v += v; kv.layers++; kv.cells = Math.max(kv.cells, n);
    if (s.kvOffload && devices[il] >= 0 && nGpu > 0) kv.gpu[devices[il]] += k + v; else kv.cpu += k + v;
  }
  if ((s.typeV.blockSize > 1) && !s.flashAttn) problems.push('A quantized V cache (-ctv) needs flash attention: llama-server refuses -fa off with it');
  if (args['--flash-attn'] === undefined || args['--flash-attn'] === 'auto') notes.push('Flash attention is on auto: counted as on, as llama-server chooses on current GPUs and CPUs');
  const unit = s.nUbatch * 4;
  const kvStream = Math.max(cells.full, 1);
  const perDevice = kvStream * s.nUbatch * (s.flashAttn ? 2 : 4) + (s.flashAttn ? 0 : kvStream * s.nUbatch * shape.nHead * 4)
    + (2 * shape.nEmbd + 3 * shape.nFf) * unit;
  const compute: Placement = { gpu: Array(nGpu).fill(0), cpu: 0 };
  const used = new Set(devices.slice(0, shape.nLayer));
  for (let g = 0; g < nGpu; g++) if (used.has(g) || devices[shape.nLayer] === g) compute.gpu[g] = perDevice;
  compute.cpu = used.has(-1) || nGpu === 0 ? perDevice : 2 * shape.nEmbd * unit;
  return { settings: s, shape, weights, kv, compute, output: shape.nVocab * 4 * s.nSeq, gpuLayers: devices.filter((d) => d >= 0).length, problems, notes };
}
