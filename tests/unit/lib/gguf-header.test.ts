import { describe, expect, it } from 'vitest';
import { GGUF_LIMITS, readGgufHeader } from '../../../src/lib/gguf-header';
import { readModel } from '../../../src/lib/gguf-model';
import { ggmlType, tensorBytes } from '../../../src/lib/ggml-types';
import { buildGguf, virtualFile } from '../../fixtures/gguf/write-gguf.mjs';

const META = { 'general.architecture': 'llama', 'llama.block_count': 1, 'llama.attention.head_count_kv': [2, 4], 'tokenizer.ggml.tokens': ['a', 'b'] };
const TENSORS = [
  { name: 'token_embd.weight', shape: [64, 100], type: 'Q8_0' },
  { name: 'blk.0.attn_q.weight', shape: [256, 64], type: 'Q4_K' },
  { name: 'output.weight', shape: [64, 100], type: 'F16' },
];

/** Little-endian bytes of a hand-made header prefix, for corrupt files the writer cannot make. */
function raw(parts: (['u32', number] | ['u64', bigint] | ['s', string])[]): Uint8Array {
  const chunks = parts.map(([k, v]) => {
    if (k === 's') return new TextEncoder().encode(v as string);
    const b = new Uint8Array(k === 'u32' ? 4 : 8);
    const dv = new DataView(b.buffer);
    if (k === 'u32') dv.setUint32(0, v as number, true); else dv.setBigUint64(0, v as bigint, true);
    return b;
  });
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

const fromBytes = (b: Uint8Array) => async (off: number, len: number) => b.slice(off, off + len);

describe('readGgufHeader', () => {
  it('reads metadata, the tensor table and tensor sizes from the type table', async () => {
    const file = buildGguf(META, TENSORS);
    const h = await readGgufHeader(virtualFile(file).read, 'm.gguf', file.size);
    expect(h.version).toBe(3);
    expect(h.metadata['general.architecture']).toBe('llama');
    expect(h.metadata['llama.attention.head_count_kv']).toEqual([2, 4]);
    expect(h.tensors.map((t) => t.name)).toEqual(TENSORS.map((t) => t.name));
    expect(h.tensors[1]).toMatchObject({ shape: [256, 64], typeId: 12, bytes: 64 * 144 });
    expect(h.tensors[0].bytes).toBe((64 / 32) * 34 * 100);
    expect(h.dataOffset % 32).toBe(0);
    expect(h.dataOffset).toBe(file.dataOffset);
  });

  it('reads only the header of a large file, in bounded ranges', async () => {
    const file = buildGguf(META, [{ name: 'big', shape: [4096, 262144], type: 'F16' }]);
    const vf = virtualFile(file);
    await readGgufHeader(vf.read, 'big.gguf', file.size);
    const asked = vf.reads.reduce((a, [, n]) => a + n, 0);
    expect(file.size).toBeGreaterThan(2 * 1024 ** 3);
    expect(asked).toBeLessThan(1024 * 1024);
  });

  it('says a file that is not GGUF is not GGUF', async () => {
    await expect(readGgufHeader(fromBytes(new TextEncoder().encode('<html>not found</html>')), 'x.gguf')).rejects.toThrow('x.gguf is not a GGUF file');
  });

  it('says a truncated header is truncated', async () => {
    const { header } = buildGguf(META, TENSORS);
    await expect(readGgufHeader(fromBytes(header.slice(0, header.length - 10)), 'cut.gguf')).rejects.toThrow(/cut\.gguf ends inside its header .*truncated/);
  });

  it('says a file cut inside its tensor data is truncated', async () => {
    const file = buildGguf(META, TENSORS);
    await expect(readGgufHeader(virtualFile(file).read, 'part.gguf', file.size - 100)).rejects.toThrow(/output\.weight .*past the end of the file.*truncated/);
  });

  it('refuses a header claiming 10^9 tensors without allocating them', async () => {
    const b = raw([['s', 'GGUF'], ['u32', 3], ['u64', 1_000_000_000n], ['u64', 0n]]);
    await expect(readGgufHeader(fromBytes(b), 'huge.gguf')).rejects.toThrow(`claims 1000000000 tensors (limit ${GGUF_LIMITS.tensors})`);
  });

  it('refuses a 4 GB string without reading it', async () => {
    const reads: number[] = [];
    const b = raw([['s', 'GGUF'], ['u32', 3], ['u64', 0n], ['u64', 1n], ['u64', 4n * 1024n ** 3n]]);
    const read = async (off: number, len: number) => { reads.push(len); return b.slice(off, off + len); };
    await expect(readGgufHeader(read, 's.gguf')).rejects.toThrow(/claims 4294967296 bytes/);
    expect(Math.max(...reads)).toBeLessThan(1024 * 1024);
  });

  it('refuses an array claiming more items than any vocabulary', async () => {
    const b = raw([['s', 'GGUF'], ['u32', 3], ['u64', 0n], ['u64', 1n], ['u64', 1n], ['s', 'a'], ['u32', 9], ['u32', 4], ['u64', 10n ** 12n]]);
    await expect(readGgufHeader(fromBytes(b), 'a.gguf')).rejects.toThrow(/array a claims 1000000000000 items/);
  });

  it('refuses an unknown GGUF version and a big-endian file', async () => {
    await expect(readGgufHeader(fromBytes(raw([['s', 'GGUF'], ['u32', 9]])), 'v.gguf')).rejects.toThrow('GGUF version 9');
    await expect(readGgufHeader(fromBytes(raw([['s', 'GGUF'], ['u32', 0x03000000]])), 'be.gguf')).rejects.toThrow('big-endian');
  });

  it('keeps a tensor of an unknown type with its size unknown, not guessed', async () => {
    const file = buildGguf(META, [{ name: 'blk.0.x', shape: [32, 2], typeId: 99, bytes: 64 }]);
    const h = await readGgufHeader(virtualFile(file).read, 'u.gguf');
    expect(h.tensors[0]).toMatchObject({ typeId: 99, bytes: null });
    expect(ggmlType(99)).toBeUndefined();
  });
});

describe('ggml type table', () => {
  it('sizes quantized tensors by block', () => {
    expect(tensorBytes(ggmlType(39)!, [2880, 2880, 32])).toBe((2880 / 32) * 17 * 2880 * 32);
    expect(tensorBytes(ggmlType(23)!, [4096, 11008])).toBe(16 * 136 * 11008);
    expect(() => tensorBytes(ggmlType(12)!, [100, 2])).toThrow('not a multiple of its block size 256');
  });
});

describe('readModel (split files)', () => {
  const part = (no: number, count: number, tensors: typeof TENSORS) => {
    const f = buildGguf({ ...META, 'split.no': no, 'split.count': count }, tensors);
    return { name: `m-0000${no + 1}-of-0000${count}.gguf`, size: f.size, lastModified: 1, read: virtualFile(f).read };
  };

  it('merges the parts of a split model in part order, without the tokenizer', async () => {
    const m = await readModel([part(1, 2, TENSORS.slice(2)), part(0, 2, TENSORS.slice(0, 2))]);
    expect(m.tensors.map((t) => t.name)).toEqual(TENSORS.map((t) => t.name));
    expect(m.files.map((f) => f.name)).toEqual(['m-00001-of-00002.gguf', 'm-00002-of-00002.gguf']);
    expect(Object.keys(m.metadata).some((k) => k.startsWith('tokenizer.'))).toBe(false);
  });

  it('asks for the missing parts of a split model', async () => {
    await expect(readModel([part(0, 3, TENSORS)])).rejects.toThrow('split in 3 parts (…-of-00003.gguf); only part 1 was picked: pick all 3 together');
  });
});
