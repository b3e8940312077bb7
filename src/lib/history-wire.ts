/**
 * A chart series (HistoryResult) as it crosses from the worker to the page: every column in one
 * Float64Array, so the reply is transferred (its buffer moves, nothing is copied on the way) instead of
 * structured-cloned number by number. A missing value (null) travels as NaN; HistoryResult never holds NaN.
 */
import type { HistoryResult } from './types';

/** The Comlink transfer handler's name, the same in the worker and in the page. */
export const HISTORY_WIRE = 'llama-dash-history';

export interface PackedHistory {
  tier: HistoryResult['tier'];
  keys: string[];
  /** Rows. */
  n: number;
  /** ts, then each key's column, n values each. */
  data: Float64Array;
}

/** Packs an answer into a fresh buffer of its own (the caller may transfer it). */
export function packHistory(r: HistoryResult): PackedHistory {
  const n = r.ts.length;
  const keys = Object.keys(r.values);
  const data = new Float64Array(n * (1 + keys.length));
  data.set(r.ts);
  keys.forEach((k, c) => {
    const col = r.values[k];
    if (col.length !== n) throw new Error(`The chart column "${k}" has ${col.length} values for ${n} times.`);
    const o = n * (1 + c);
    for (let i = 0; i < n; i++) data[o + i] = col[i] ?? NaN;
  });
  return { tier: r.tier, keys, n, data };
}

/** The answer back as the page's charts take it: plain arrays, null where a value is missing. */
export function unpackHistory(p: PackedHistory): HistoryResult {
  const { n, data } = p;
  const ts = new Array<number>(n);
  for (let i = 0; i < n; i++) ts[i] = data[i];
  // fromEntries defines each key as its own property: a series called __proto__ stays a series.
  const values: HistoryResult['values'] = Object.fromEntries(p.keys.map((k, c) => {
    const o = n * (1 + c);
    const col = new Array<number | null>(n);
    for (let i = 0; i < n; i++) {
      const v = data[o + i];
      col[i] = v === v ? v : null;
    }
    return [k, col];
  }));
  return { ts, values, tier: p.tier };
}

const TIERS = new Set<unknown>(['raw', '1m', '1h']);

function isHistoryResult(v: unknown): v is HistoryResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<HistoryResult>;
  return TIERS.has(r.tier) && Array.isArray(r.ts) && typeof r.values === 'object' && r.values !== null;
}

/**
 * The transfer handler (Comlink's TransferHandler) that carries every history answer from the worker to
 * the page packed and transferred; registered under HISTORY_WIRE by the worker (src/worker/main.ts) and by
 * the page (src/state/client.ts). The buffer is packed afresh for each answer, so the worker's own columns
 * (the hot window's) are never the ones that move.
 */
export const historyTransfer = {
  canHandle: isHistoryResult,
  serialize(r: HistoryResult): [PackedHistory, Transferable[]] {
    const p = packHistory(r);
    return [p, [p.data.buffer]];
  },
  deserialize: unpackHistory,
};
