/**
 * Bulk reads of frame tables. sqlite-wasm's per-row API costs ~5 µs per row in column accessors
 * (argument conversion, a copy per blob); aggregating the rows into ONE result row in SQL (blobs
 * concatenated, the rest as JSON arrays) reads 600 frames in ~0.6 ms instead of ~12 ms (measured in
 * Node on this machine under load). group_concat keeps a blob's bytes exactly, NULs included; the
 * CAST turns the result back into a blob.
 */
import type { DB } from './sql';

export interface FrameBatch {
  ts: number[];
  layoutIds: number[];
  /** Sample count per row (rollup tables; 1 for raw frames). */
  n: number[];
  /** Byte offset of each row's blob in `bytes`. */
  offsets: number[];
  lengths: number[];
  bytes: Uint8Array;
}

/**
 * Rows of `table` for one endpoint with from <= ts < toExclusive (or <= `to` when `inclusive`),
 * oldest first, at most `limit`.
 */
export function readFrames(db: DB, table: string, endpointId: number, from: number, to: number, inclusive: boolean, limit = -1): FrameBatch {
  const n = table === 'frames' ? '1' : 'n';
  const r = db.selectArray(
    `SELECT CAST(group_concat(vals, '') AS BLOB), json_group_array(ts), json_group_array(layout_id),
       json_group_array(${n}), json_group_array(length(vals))
     FROM (SELECT ts, layout_id, vals, ${n} FROM ${table} WHERE endpoint_id = ? AND ts >= ? AND ts ${inclusive ? '<=' : '<'} ? ORDER BY ts LIMIT ?)`,
    [endpointId, from, to, limit],
  )!;
  const lengths = JSON.parse(r[4] as string) as number[];
  const offsets = new Array<number>(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) { offsets[i] = at; at += lengths[i]; }
  return {
    bytes: r[0] instanceof Uint8Array ? r[0] : new Uint8Array(0),
    ts: JSON.parse(r[1] as string) as number[],
    layoutIds: JSON.parse(r[2] as string) as number[],
    n: JSON.parse(r[3] as string) as number[],
    offsets,
    lengths,
  };
}
