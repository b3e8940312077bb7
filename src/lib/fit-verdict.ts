/**
 * Whether a configuration fits the GPUs an exporter reports, and what to change when it does not: the
 * estimate is retried with fewer GPU layers (or, for MoE models, expert tensors of the first layers kept
 * on the CPU) until every GPU keeps llama-server's --fit-target margin free.
 */
import { estimateMemory, type Args, type MemoryEstimate } from './memory-estimate.ts';
import type { GgufSummary } from './gguf-model.ts';

/** One GPU as an exporter reports it. */
export interface GpuMemory { id: string; label: string; totalBytes: number; usedBytes: number }

/** The verdict for one GPU. */
export interface GpuVerdict {
  id: string; label: string; needBytes: number; freeBytes: number;
  kind: 'fits' | 'cpu-layers' | 'no-fit';
  /** Layers that must move to the CPU (kind 'cpu-layers'). */
  cpuLayers: number;
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
function findChange(m: GgufSummary, args: Args, e: MemoryEstimate, free: number[], margin: number): { flag: string; args: Args; e: MemoryEstimate } | null {
  if (e.shape.moe && !args['--n-cpu-moe']) {
    for (let n = 1; n <= e.shape.nLayer; n++) {
      const a = { ...args, '--n-cpu-moe': n };
      const t = estimateMemory(m, a, free);
      if (fitsAll(t, free, margin)) return { flag: `--n-cpu-moe ${n}`, args: a, e: t };
    }
  }
  for (let ngl = Math.min(e.settings.ngl, e.shape.nLayer + 1) - 1; ngl >= 1; ngl--) {
    const a = { ...args, '--gpu-layers': ngl };
    const t = estimateMemory(m, a, free);
    if (fitsAll(t, free, margin)) return { flag: `-ngl ${ngl}`, args: a, e: t };
  }
  return null;
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
    const base = { id: g.id, label: g.label, needBytes: needs(e, i), freeBytes: free[i], cpuLayers: 0 };
    if (needs(e, i) + margin <= free[i]) return { ...base, kind: 'fits', advice: '' };
    if (change) {
      const moved = e.gpuLayers - change.e.gpuLayers;
      return { ...base, kind: 'cpu-layers', cpuLayers: moved, advice: `set ${change.flag}` };
    }
    const kvMiB = Math.round((e.kv.gpu[i]) / MiB);
    return { ...base, kind: 'no-fit', advice: `not even the output layer fits: lower -c (this GPU's KV cache is ${kvMiB} MiB), use -ctk q8_0 -ctv q8_0, or pick a smaller quantization` };
  });
  const marginMiB = Math.round(margin / MiB);
  let fitNote: string;
  if (!s.fit) {
    fitNote = '--fit is off: llama-server takes these settings as they are and fails to load if they do not fit.';
  } else if (ok) {
    fitNote = `--fit on (the default) finds nothing to change: every GPU keeps ${marginMiB} MiB free.`;
  } else {
    const unset = [!s.nglSet && '-ngl', !s.ctxSet && '-c', e.shape.moe && !args['--n-cpu-moe'] && !args['--override-tensor'] && '--n-cpu-moe'].filter(Boolean);
    const steps = [
      !s.ctxSet && `lowers the context, not below --fit-ctx ${Number(args['--fit-ctx'] ?? 4096)}`,
      (!s.nglSet || (e.shape.moe && !args['--n-cpu-moe'])) && `moves ${e.shape.moe ? 'expert tensors or layers' : 'layers'} to the CPU${change ? ` (about ${change.flag})` : ''}`,
    ].filter(Boolean);
    fitNote = unset.length && steps.length
      ? `--fit on (the default) changes what you left unset (${unset.join(', ')}) at load: it ${steps.join(' and ')} until each GPU keeps ${marginMiB} MiB free.`
      : `--fit on cannot help: you set ${[s.nglSet && '-ngl', s.ctxSet && '-c'].filter(Boolean).join(' and ')} yourself and it leaves them as they are, so loading would run out of GPU memory.`;
  }
  return { estimate: e, gpus: verdicts, fitNote, marginBytes: margin };
}
