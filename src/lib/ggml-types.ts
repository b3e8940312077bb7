/**
 * ggml's tensor types as GGUF files number them, with the block size (elements per block) and bytes per
 * block of ggml/src/ggml.c's type_traits table (ggml.h ids; 4-5, 31-33 and 36-38 were removed upstream
 * and no longer appear in GGUF files). A tensor's size is ne0/blockSize * bytesPerBlock * the other dims.
 */
export interface GgmlType { id: number; name: string; blockSize: number; bytesPerBlock: number }

const TABLE: [number, string, number, number][] = [
  [0, 'F32', 1, 4], [1, 'F16', 1, 2], [2, 'Q4_0', 32, 18], [3, 'Q4_1', 32, 20],
  [6, 'Q5_0', 32, 22], [7, 'Q5_1', 32, 24], [8, 'Q8_0', 32, 34], [9, 'Q8_1', 32, 36],
  [10, 'Q2_K', 256, 84], [11, 'Q3_K', 256, 110], [12, 'Q4_K', 256, 144], [13, 'Q5_K', 256, 176],
  [14, 'Q6_K', 256, 210], [15, 'Q8_K', 256, 292], [16, 'IQ2_XXS', 256, 66], [17, 'IQ2_XS', 256, 74],
  [18, 'IQ3_XXS', 256, 98], [19, 'IQ1_S', 256, 50], [20, 'IQ4_NL', 32, 18], [21, 'IQ3_S', 256, 110],
  [22, 'IQ2_S', 256, 82], [23, 'IQ4_XS', 256, 136], [24, 'I8', 1, 1], [25, 'I16', 1, 2],
  [26, 'I32', 1, 4], [27, 'I64', 1, 8], [28, 'F64', 1, 8], [29, 'IQ1_M', 256, 56], [30, 'BF16', 1, 2],
  [34, 'TQ1_0', 256, 54], [35, 'TQ2_0', 256, 66], [39, 'MXFP4', 32, 17], [40, 'NVFP4', 64, 36],
  [41, 'Q1_0', 128, 18],
];

const BY_ID = new Map<number, GgmlType>(TABLE.map(([id, name, blockSize, bytesPerBlock]) => [id, { id, name, blockSize, bytesPerBlock }]));
const BY_NAME = new Map<string, GgmlType>([...BY_ID.values()].map((t) => [t.name.toLowerCase(), t]));

/** The type with this GGUF id, or undefined when this table does not know it (report it; never guess). */
export function ggmlType(id: number): GgmlType | undefined {
  return BY_ID.get(id);
}

/** The type named like llama-server's cache-type values (f16, q8_0, iq4_nl...), case-insensitive. */
export function ggmlTypeByName(name: string): GgmlType | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

/**
 * Bytes of a tensor of this type and shape (ggml_nbytes for a contiguous tensor). Throws when the first
 * dimension is not a whole number of blocks, which a valid file never has.
 */
export function tensorBytes(t: GgmlType, shape: readonly number[]): number {
  const ne0 = shape[0] ?? 1;
  if (ne0 % t.blockSize !== 0) throw new Error(`a ${t.name} tensor's first dimension (${ne0}) is not a multiple of its block size ${t.blockSize}`);
  let rows = 1;
  for (let i = 1; i < shape.length; i++) rows *= shape[i];
  return (ne0 / t.blockSize) * t.bytesPerBlock * rows;
}
