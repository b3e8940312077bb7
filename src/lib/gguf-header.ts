/**
 * A bounded reader of GGUF headers (metadata and tensor table, never the tensor data). It asks its caller
 * for byte ranges, so a browser File (File.slice) and an HTTP server that honours Range requests are read
 * the same way, and only the header crosses.
 * Every count and length in a header is checked against a limit before anything is allocated: a damaged
 * or hostile file claiming 10^9 tensors or a 4 GB string is refused with a message, not attempted.
 */
import { ggmlType, tensorBytes } from './ggml-types';

/** Reads `length` bytes at `offset`; may return fewer only at the end of the file. */
export type ReadRange = (offset: number, length: number) => Promise<Uint8Array>;

/** A metadata value as kept: scalars, and arrays of up to MAX_KEPT_ARRAY scalars (longer ones are summarised). */
export type GgufValue = number | string | boolean | (number | string | boolean)[] | { arrayLength: number };

/** One tensor of the table; `bytes` is null when its type is not in ggml-types' table. */
export interface GgufTensor { name: string; shape: number[]; typeId: number; offset: number; bytes: number | null }

/** A parsed header. `dataOffset` is where tensor data starts in this file; offsets are relative to it. */
export interface GgufHeader { version: number; metadata: Record<string, GgufValue>; tensors: GgufTensor[]; dataOffset: number }

/** Limits a header must stay within (generous for real models: the largest vocabularies are ~260k tokens). */
export const GGUF_LIMITS = {
  headerBytes: 128 * 1024 * 1024,
  tensors: 100_000,
  keys: 100_000,
  stringBytes: 16 * 1024 * 1024,
  arrayLength: 10_000_000,
  dims: 4,
};

const MAX_KEPT_ARRAY = 4096;
const CHUNK = 256 * 1024;
const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const decoder = new TextDecoder('utf-8', { fatal: false });

class Cursor {
  pos = 0;
  #buf: Uint8Array = new Uint8Array(0);
  #bufStart = 0;
  #view: DataView = new DataView(this.#buf.buffer);

  constructor(private readonly read: ReadRange, private readonly what: string) {}

  async need(n: number): Promise<void> {
    if (this.pos + n > GGUF_LIMITS.headerBytes) throw new Error(`${this.what}: its header is larger than ${GGUF_LIMITS.headerBytes / 1048576} MiB, more than any real model needs; the file is damaged or not a GGUF file`);
    const have = this.#bufStart + this.#buf.length - this.pos;
    if (have >= n) return;
    const start = this.pos;
    const got = await this.read(start, Math.max(n, CHUNK));
    if (got.length < n) throw new Error(`${this.what} ends inside its header (at byte ${start + got.length}): the file is truncated or not a GGUF file`);
    this.#buf = got;
    this.#bufStart = start;
    this.#view = new DataView(got.buffer, got.byteOffset, got.byteLength);
  }

  private at(n: number): number {
    const off = this.pos - this.#bufStart;
    this.pos += n;
    return off;
  }

  async u32(): Promise<number> { await this.need(4); return this.#view.getUint32(this.at(4), true); }

  async u64(label: string): Promise<number> {
    await this.need(8);
    const v = this.#view.getBigUint64(this.at(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${this.what}: ${label} is ${v}, beyond any real file; the header is damaged`);
    return Number(v);
  }

  async bytes(n: number): Promise<Uint8Array> {
    await this.need(n);
    const off = this.at(n);
    return this.#buf.subarray(off, off + n);
  }

  async string(label: string): Promise<string> {
    const len = await this.u64(`the length of ${label}`);
    if (len > GGUF_LIMITS.stringBytes) throw new Error(`${this.what}: ${label} claims ${len} bytes (limit ${GGUF_LIMITS.stringBytes}); the header is damaged`);
    return decoder.decode(await this.bytes(len));
  }

  async scalar(type: number): Promise<number | boolean> {
    const size = SCALAR_BYTES[type];
    await this.need(size);
    const off = this.at(size);
    const v = this.#view;
    switch (type) {
      case 0: return v.getUint8(off);
      case 1: return v.getInt8(off);
      case 2: return v.getUint16(off, true);
      case 3: return v.getInt16(off, true);
      case 4: return v.getUint32(off, true);
      case 5: return v.getInt32(off, true);
      case 6: return v.getFloat32(off, true);
      case 7: return v.getUint8(off) !== 0;
      case 10: return Number(v.getBigUint64(off, true));
      case 11: return Number(v.getBigInt64(off, true));
      default: return v.getFloat64(off, true);
    }
  }
}

async function readValue(c: Cursor, type: number, key: string, what: string): Promise<GgufValue> {
  if (type === 8) return c.string(`the value of ${key}`);
  if (type in SCALAR_BYTES) return c.scalar(type);
  if (type !== 9) throw new Error(`${what}: key ${key} has unknown value type ${type}; the header is damaged or from a newer GGUF version`);
  const itemType = await c.u32();
  const n = await c.u64(`the length of array ${key}`);
  if (n > GGUF_LIMITS.arrayLength) throw new Error(`${what}: array ${key} claims ${n} items (limit ${GGUF_LIMITS.arrayLength}); the header is damaged`);
  if (itemType === 9) throw new Error(`${what}: array ${key} holds arrays, which no model header uses; the header is damaged`);
  if (itemType !== 8 && !(itemType in SCALAR_BYTES)) throw new Error(`${what}: array ${key} has unknown item type ${itemType}`);
  const keep = n <= MAX_KEPT_ARRAY;
  const out: (number | string | boolean)[] = [];
  for (let i = 0; i < n; i++) {
    const item = itemType === 8 ? await c.string(`item ${i} of ${key}`) : await c.scalar(itemType);
    if (keep) out.push(item);
  }
  return keep ? out : { arrayLength: n };
}

/**
 * Reads the header of one GGUF file (one part of a split model). `what` names it in messages. When
 * `fileSize` is given, tensors that would extend past it are reported (a truncated download).
 */
export async function readGgufHeader(read: ReadRange, what: string, fileSize?: number): Promise<GgufHeader> {
  const c = new Cursor(read, what);
  const magic = await c.bytes(4);
  if (decoder.decode(magic) !== 'GGUF') throw new Error(`${what} is not a GGUF file (it does not start with "GGUF")`);
  const version = await c.u32();
  if (version === 0x03000000 || version === 0x02000000) throw new Error(`${what} is a big-endian GGUF file, which this reader does not handle`);
  if (version !== 2 && version !== 3) throw new Error(`${what} has GGUF version ${version}; versions 2 and 3 are supported`);
  const nTensors = await c.u64('the tensor count');
  if (nTensors > GGUF_LIMITS.tensors) throw new Error(`${what}: the header claims ${nTensors} tensors (limit ${GGUF_LIMITS.tensors}); it is damaged`);
  const nKeys = await c.u64('the metadata count');
  if (nKeys > GGUF_LIMITS.keys) throw new Error(`${what}: the header claims ${nKeys} metadata keys (limit ${GGUF_LIMITS.keys}); it is damaged`);
  const metadata: Record<string, GgufValue> = {};
  for (let i = 0; i < nKeys; i++) {
    const key = await c.string(`metadata key ${i}`);
    metadata[key] = await readValue(c, await c.u32(), key, what);
  }
  const tensors: GgufTensor[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = await c.string(`the name of tensor ${i}`);
    const nDims = await c.u32();
    if (nDims < 1 || nDims > GGUF_LIMITS.dims) throw new Error(`${what}: tensor ${name} has ${nDims} dimensions (1 to ${GGUF_LIMITS.dims} allowed); the header is damaged`);
    const shape: number[] = [];
    for (let d = 0; d < nDims; d++) shape.push(await c.u64(`a dimension of ${name}`));
    const typeId = await c.u32();
    const offset = await c.u64(`the offset of ${name}`);
    const t = ggmlType(typeId);
    let bytes: number | null = null;
    try {
      bytes = t ? tensorBytes(t, shape) : null;
    } catch (e) {
      throw new Error(`${what}: tensor ${name}: ${(e as Error).message}; the header is damaged`);
    }
    tensors.push({ name, shape, typeId, offset, bytes });
  }
  const align = typeof metadata['general.alignment'] === 'number' ? metadata['general.alignment'] : 32;
  if (!Number.isInteger(align) || align <= 0 || align % 8 !== 0) throw new Error(`${what}: general.alignment is ${align}, not a positive multiple of 8`);
  const dataOffset = Math.ceil(c.pos / align) * align;
  if (fileSize !== undefined) {
    for (const t of tensors) {
      if (t.bytes !== null && dataOffset + t.offset + t.bytes > fileSize) {
        throw new Error(`${what}: tensor ${t.name} ends at byte ${dataOffset + t.offset + t.bytes}, past the end of the file (${fileSize} bytes): the file is truncated`);
      }
    }
  }
  return { version, metadata, tensors, dataOffset };
}
