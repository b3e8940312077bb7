/**
 * Whether a configuration fits the GPUs an exporter reports, and what to change when it does not: the
 * estimate is retried with fewer GPU layers (or, for MoE models, expert tensors of the first layers kept
 * on the CPU) until every GPU keeps llama-server's --fit-target margin free.
 */
import { estimateMemory, type Args, type MemoryEstimate } from './memory-estimate';
import type { GgufSummary } from './gguf-model';

/** One GPU as an exporter reports it. */
export interface GpuMemory { id: string; label: string; totalBytes: number; usedBytes: number }

/** The verdict for one GPU. */
export interface GpuVerdict {
  id: string; label: string; needBytes: number; freeBytes: number;
  kind: 'fits' | 'cpu-layers' | 'no-fit';
  /** Layers that must move to the CPU (kind 'cpu-layers'); with `experts`, layers whose MoE experts move. */
  cpuLayers: number;
  experts: boolean;
  /** What to change, in words with the flag; empty when it fits. */
  advice: string;
}

/** The estimate, per-GPU verdicts and what llama-server's --fit would do. */
export interface FitReport { estimate: MemoryEstimate; gpus: GpuVerdict[]; fitNote: string; marginBytes: number }

const MiB = 1024 * 1024;

function needs(e: MemoryEstimate, i: number): number {
  return e.weights.gpu[i] + e.kv.gpu[i] + e.compute.gpu[i];
}

function fitsAll(e: MemoryEstimate, free: number[], margin: number): boolean {
  return free.every((f, i) => needs(e, i) + margin <= f);
}

/** The first change that makes every GPU fit: fewer MoE experts, else fewer layers on the GPU. */
function findChange(m: GgufSummary, args: Args, e: MemoryEstimate, free: number[], margin: number): { flag: string; moved: number; experts: boolean } | null {
  if (e.shape.moe && !args['--n-cpu-moe']) {
    for (let n = 1; n <= e.shape.nLayer; n++) {
      const a = { ...args, '--n-cpu-moe': n };
      const t = estimateMemory(m, a, free);
      if (fitsAll(t, free, margin)) return { flag: `--n-cpu-moe ${n}`, moved: n, experts: true };
    }
  }
  for (let ngl = Math.min(e.settings.ngl, e.shape.nLayer + 1) - 1; ngl >= 1; ngl--) {
    const a = { ...args, '--gpu-layers': ngl };
    const t = estimateMemory(m, a, free);
    if (fitsAll(t, free, margin)) return { flag: `-ngl ${ngl}`, moved: e.gpuLayers - t.gpuLayers, experts: false };
  }
  return null;
}

/** The largest context (a multiple of 256, at least `min`) that fits with the other settings as they are, or null. */
function largestContext(m: GgufSummary, args: Args, free: number[], margin: number, min: number, max: number): number | null {
  const fits = (c: number) => fitsAll(estimateMemory(m, { ...args, '--ctx-size': c }, free), free, margin);
  if (!fits(min)) return null;
  let lo = Math.floor(min / 256);
  let hi = Math.floor(max / 256);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid * 256)) lo = mid; else hi = mid - 1;
  }
  return lo * 256;
}

/**
 * What --fit on does when the estimate does not fit (llama.cpp common/fit.cpp): it only touches what
 * the user left unset, first lowering the context (not below --fit-ctx), then moving layers or MoE
 * experts to the CPU, until every GPU keeps the --fit-target margin.
 */
function fitOnNote(m: GgufSummary, args: Args, e: MemoryEstimate, free: number[], margin: number, change: string | null): string {
  const s = e.settings;
  const marginMiB = Math.round(margin / MiB);
  const minCtx = Number(args['--fit-ctx'] ?? 4096);
  const canOffload = !s.nglSet || (e.shape.moe && !args['--n-cpu-moe'] && !args['--override-tensor']);
  if (!s.ctxSet) {
    const ctx = largestContext(m, args, free, margin, Math.min(minCtx, s.nCtx), s.nCtx);
    if (ctx !== null) return `--fit on (the default) will lower the context you left unset from ${s.nCtx.toLocaleString('en')} to about ${ctx.toLocaleString('en')} tokens, so that each GPU keeps ${marginMiB} MiB free; set -c yourself to choose, or ${change ? `${change} to keep the full context` : 'use a smaller model'}.`;
  }
  if (canOffload) {
    const ctxStep = s.ctxSet ? '' : `lowers the context to --fit-ctx ${minCtx}, then `;
    return `--fit on (the default) ${ctxStep}moves ${e.shape.moe ? 'expert tensors or layers' : 'layers'} to the CPU${change ? ` (about ${change})` : ''} until each GPU keeps ${marginMiB} MiB free.`;
  }
  const set = [s.nglSet && '-ngl', s.ctxSet && '-c'].filter(Boolean).join(' and ');
  return `--fit on cannot help: you set ${set} yourself and it leaves ${set.includes('and') ? 'them' : 'it'} as is, so loading would run out of GPU memory.`;
}

/** Estimates `m` under `args` on these GPUs and says, per GPU, whether it fits and what to change. */
export function fitReport(m: GgufSummary, args: Args, gpus: GpuMemory[]): FitReport {
  const free = gpus.map((g) => Math.max(0, g.totalBytes - g.usedBytes));
  const margin = (Number(String(args['--fit-target'] ?? '1024').split(',')[0]) || 0) * MiB;
  const e = estimateMemory(m, args, free, gpus.length ? 0 : 1);
  const s = e.settings;
  if (gpus.length === 0) {
    return { estimate: e, gpus: [], marginBytes: margin, fitNote: 'No exporter reports a GPU here: the split assumes one GPU. Add the companion exporter on the machine that runs llama-server to check whether it fits.' };
  }
  const ok = fitsAll(e, free, margin);
  const change = ok ? null : findChange(m, args, e, free, margin);
  const verdicts: GpuVerdict[] = gpus.map((g, i) => {
    const base = { id: g.id, label: g.label, needBytes: needs(e, i), freeBytes: free[i], cpuLayers: 0, experts: false };
    if (needs(e, i) + margin <= free[i]) return { ...base, kind: 'fits', advice: '' };
    if (change) return { ...base, kind: 'cpu-layers', cpuLayers: change.moved, experts: change.experts, advice: `set ${change.flag}` };
    const kvMiB = Math.round((e.kv.gpu[i]) / MiB);
    return { ...base, kind: 'no-fit', advice: `not even the output layer fits: lower -c (this GPU's KV cache is ${kvMiB} MiB), use -ctk q8_0 -ctv q8_0, or pick a smaller quantization` };
  });
  let fitNote: string;
  if (!s.fit) {
    fitNote = '--fit is off: llama-server takes these settings as they are and fails to load if they do not fit.';
  } else if (ok) {
    fitNote = `--fit on (the default) finds nothing to change: every GPU keeps ${Math.round(margin / MiB)} MiB free.`;
  } else {
    fitNote = fitOnNote(m, args, e, free, margin, change?.flag ?? null);
  }
  return { estimate: e, gpus: verdicts, fitNote, marginBytes: margin };
}
