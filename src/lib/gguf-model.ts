/**
 * A model as the memory estimate needs it: the merged headers of its GGUF file or split parts, with the
 * tokenizer left out, small enough to store with a configuration and JSON-serialisable.
 */
import { readGgufHeader, type GgufValue, type ReadRange } from './gguf-header';
import { ggmlType } from './ggml-types';

/** Which file a summary came from, so a later visit can tell when it changed. */
export interface ModelFileInfo { name: string; size: number; lastModified: number | null }

/** A tensor of the model; `bytes` null when its type id is unknown to ggml-types. */
export interface ModelTensor { name: string; shape: number[]; typeId: number; bytes: number | null }

/** The merged header of a (possibly split) model. */
export interface GgufSummary { files: ModelFileInfo[]; metadata: Record<string, GgufValue>; tensors: ModelTensor[] }

/** One file (or part) to read: its name, size and how to read a range of it. */
export interface ModelSource extends ModelFileInfo { read: ReadRange }

const SPLIT_RE = /-(\d{5})-of-(\d{5})\.gguf$/i;

/**
 * Reads every part's header and merges them. Parts may be given in any order; a split model must be
 * given whole (every `-0000i-of-0000N` part, once), or an error names what is missing.
 */
export async function readModel(sources: ModelSource[]): Promise<GgufSummary> {
  if (sources.length === 0) throw new Error('Pick a GGUF file (or every part of a split model)');
  const headers = await Promise.all(sources.map(async (s) => ({ s, h: await readGgufHeader(s.read, s.name, s.size) })));
  const count = headers.map(({ h }) => h.metadata['split.count']).find((v) => typeof v === 'number') ?? 1;
  if (headers.length !== count) {
    const m = sources[0].name.match(SPLIT_RE);
    const have = headers.map(({ h }) => Number(h.metadata['split.no'] ?? 0) + 1).sort((a, b) => a - b);
    throw new Error(`This model is split in ${count} parts${m ? ` (…-of-${m[2]}.gguf)` : ''}; ${headers.length === 1 ? 'only part' : 'parts'} ${have.join(', ')} ${headers.length === 1 ? 'was' : 'were'} picked: pick all ${count} together`);
  }
  headers.sort((a, b) => Number(a.h.metadata['split.no'] ?? 0) - Number(b.h.metadata['split.no'] ?? 0));
  const seen = new Set(headers.map(({ h }) => Number(h.metadata['split.no'] ?? 0)));
  if (seen.size !== headers.length) throw new Error('The same part of a split model was picked twice: pick each part once');
  const metadata: Record<string, GgufValue> = {};
  for (const [k, v] of Object.entries(headers[0].h.metadata)) if (!k.startsWith('tokenizer.')) metadata[k] = v;
  const tensors = headers.flatMap(({ h }) => h.tensors.map(({ name, shape, typeId, bytes }) => ({ name, shape, typeId, bytes })));
  return { files: headers.map(({ s }) => ({ name: s.name, size: s.size, lastModified: s.lastModified })), metadata, tensors };
}

/** Type ids in the model that ggml-types does not know (their tensors' sizes are unknown, not guessed). */
export function unknownTypes(m: GgufSummary): number[] {
  return [...new Set(m.tensors.filter((t) => !ggmlType(t.typeId)).map((t) => t.typeId))].sort((a, b) => a - b);
}

/** Whether the stored summary's files still look like these (same names, sizes and dates). */
export function filesChanged(stored: ModelFileInfo[], now: ModelFileInfo[]): string | null {
  for (const s of stored) {
    const n = now.find((f) => f.name === s.name);
    if (!n) continue;
    if (n.size !== s.size) return `${s.name} changed size (${s.size} → ${n.size} bytes) since it was read`;
    if (s.lastModified !== null && n.lastModified !== null && n.lastModified !== s.lastModified) return `${s.name} was modified since it was read`;
  }
  return null;
}
