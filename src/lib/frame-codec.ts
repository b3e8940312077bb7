/**
 * Packs one tick's values into a blob of float64 in a fixed key order (a "layout"), and back.
 * NaN inside the blob means "missing"; outside it, missing is null (SampleFrame's contract).
 * Byte order is the platform's: little-endian in every browser and in WebAssembly.
 */

/** Rollup blobs hold these four statistics per key, in this order. */
export const ROLLUP_STATS = 4;
export const STAT_MIN = 0;
export const STAT_MAX = 1;
export const STAT_AVG = 2;
export const STAT_LAST = 3;

/** Throws a TypeError naming the key when a value cannot be stored (anything but a finite number or null). */
export function checkValue(key: string, value: unknown): number {
  if (value === null || (typeof value === 'number' && Number.isNaN(value))) return NaN;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`Series "${key}" has a value that cannot be stored: ${String(value)} (need a finite number or null)`);
  }
  return value;
}

/** Encodes `values` in the order of `keys`; keys absent from `values` become NaN. */
export function encodeFrame(keys: readonly string[], values: Record<string, number | null>): Uint8Array {
  const out = new Float64Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    out[i] = k in values ? checkValue(k, values[k]) : NaN;
  }
  return new Uint8Array(out.buffer);
}

/** Views (or copies, when misaligned) a raw blob as float64s. */
export function decodeFrame(blob: Uint8Array): Float64Array {
  if (blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength >> 3);
  return new Float64Array(blob.slice().buffer);
}

/** Views (or copies) a rollup blob as float32s: [min, max, avg, last] per key. */
export function decodeRollup(blob: Uint8Array): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength >> 2);
  return new Float32Array(blob.slice().buffer);
}

/** Encodes rollup statistics (already laid out [min,max,avg,last] per key) as float32 bytes. */
export function encodeRollup(stats: Float64Array | Float32Array): Uint8Array {
  return new Uint8Array(Float32Array.from(stats).buffer);
}

/** null for NaN, the number otherwise. */
export function orNull(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}
