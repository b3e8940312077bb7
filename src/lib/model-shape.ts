/**
 * The hyperparameters of a model that its memory depends on, read from GGUF metadata the way llama.cpp's
 * llama-hparams does (`{arch}.block_count`, `.attention.head_count_kv` scalar or per layer, key and value
 * lengths, sliding window and its pattern).
 */
import type { GgufValue } from './gguf-header';
import { ggmlType } from './ggml-types';
import type { GgufSummary } from './gguf-model';

/** One repeating layer's attention: KV heads (0: no KV cache), key and value head sizes, sliding window or not. */
export interface LayerShape { nHeadKv: number; headK: number; headV: number; swa: boolean }

/** The shape of a model, as far as memory goes. */
export interface ModelShape {
  arch: string; nLayer: number; nEmbd: number; nHead: number; nFf: number; nCtxTrain: number; nVocab: number;
  nSwa: number; layers: LayerShape[]; tiedOutput: boolean; tokenEmbdBytes: number; moe: boolean;
}

/**
 * SWA layer patterns of architectures whose files do not store one (llama-model.cpp sets them in code):
 * a pattern p marks layer il as SWA when il % p < p - 1.
 */
const SWA_PATTERN: Record<string, number> = { gemma2: 2, gemma3: 6, cohere2: 4, 'gpt-oss': 2 };

function perLayer(v: GgufValue | undefined, il: number, def: number): number {
  if (Array.isArray(v)) return Number(v[il] ?? def);
  return typeof v === 'number' ? v : def;
}

function maxOf(v: GgufValue | undefined): number {
  if (Array.isArray(v)) return Math.max(0, ...v.map(Number));
  return typeof v === 'number' ? v : 0;
}

/** Reads the shape; what it cannot count (unknown tensor types, compressed or recurrent caches) goes to `problems`. */
export function modelShape(m: GgufSummary, problems: string[]): ModelShape {
  const md = m.metadata;
  const arch = String(md['general.architecture'] ?? '');
  if (!arch) problems.push('The header names no architecture (general.architecture)');
  const k = (name: string) => md[`${arch}.${name}`];
  const nLayer = maxOf(k('block_count'));
  const nEmbd = maxOf(k('embedding_length'));
  const nHead = maxOf(k('attention.head_count'));
  if (!nLayer || !nEmbd) problems.push(`The header lacks ${arch}.block_count or ${arch}.embedding_length: layers and activations cannot be counted`);
  const headK = maxOf(k('attention.key_length')) || (nHead ? nEmbd / nHead : 0);
  const headV = maxOf(k('attention.value_length')) || (nHead ? nEmbd / nHead : 0);
  const nSwa = maxOf(k('attention.sliding_window'));
  const pattern = k('attention.sliding_window_pattern');
  const p = typeof pattern === 'number' ? pattern : SWA_PATTERN[arch] ?? 0;
  if (nSwa > 0 && !Array.isArray(pattern) && !p) problems.push(`The model has a ${nSwa}-token sliding window but its header does not say which layers use it: every layer is counted as full attention (an upper bound)`);
  const layers = Array.from({ length: nLayer }, (_, il) => ({
    nHeadKv: perLayer(k('attention.head_count_kv'), il, perLayer(k('attention.head_count'), il, 0)),
    headK, headV,
    swa: nSwa > 0 && (Array.isArray(pattern) ? Boolean(pattern[il]) : p > 0 && il % p < p - 1),
  }));
  if (k('attention.kv_lora_rank') !== undefined) problems.push(`${arch} compresses its KV cache (MLA); its size here follows the plain head counts and is not checked against llama-server`);
  if (Object.keys(md).some((key) => key.startsWith(`${arch}.ssm.`) || key.startsWith(`${arch}.wkv.`))) problems.push(`${arch} keeps a recurrent state, which this estimate does not count`);
  const unknown = [...new Set(m.tensors.filter((t) => t.bytes === null || !ggmlType(t.typeId)).map((t) => t.typeId))];
  if (unknown.length) problems.push(`Tensor type ${unknown.join(', ')} is not in the type table: ${m.tensors.filter((t) => unknown.includes(t.typeId)).length} tensors are not counted`);
  const tokenEmbd = m.tensors.find((t) => t.name === 'token_embd.weight');
  const nVocab = maxOf(k('vocab_size')) || (tokenEmbd?.shape[1] ?? 0);
  return {
    arch, nLayer, nEmbd, nHead, nVocab,
    nFf: Math.max(maxOf(k('feed_forward_length')), maxOf(k('expert_feed_forward_length')) * maxOf(k('expert_used_count'))),
    nCtxTrain: maxOf(k('context_length')) || 4096,
    nSwa, layers,
    tiedOutput: !m.tensors.some((t) => t.name === 'output.weight'),
    tokenEmbdBytes: tokenEmbd?.bytes ?? 0,
    moe: m.tensors.some((t) => /_exps\./.test(t.name)),
  };
}
