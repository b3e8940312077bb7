/**
 * Retention in tiers: complete minutes of raw frames are rolled into per-minute rollups, complete
 * hours of those into per-hour rollups, and each tier is pruned beyond its window, only once what
 * it holds has been rolled into the next tier. Layouts no stored row uses any more are deleted too.
 * Bounded work per call, so the collector can run it between ticks.
 */
import type { RetentionPolicy } from '../lib/types';
import { decodeFrame, decodeRollup, encodeRollup, ROLLUP_STATS } from '../lib/frame-codec';
import { bucketStart, rollupBucket, type BucketRow } from '../lib/rollup';
import { MAX_SERIES } from '../lib/limits';
import { layoutById, layoutWithKeys, RECENT, type Layout } from './layouts';
import { readFrames } from './frames-read';
import { inTx, type DB } from './sql';

/** Raw samples are never kept for less than this (the dashboard's live window). */
export const MIN_RAW_MS = 10 * 60_000;

/**
 * Raw 2 h, minutes 30 days, hours 400 days. For one server + one exporter (40 keys) that settles
 * at about 2.9 MB raw + 32 MB of minutes + 7 MB of hours (measured: 365 bytes per rollup row).
 */
export const DEFAULT_RETENTION: RetentionPolicy = { rawMs: 2 * 3600_000, minuteMs: 30 * 86400_000, hourMs: 400 * 86400_000 };

/** A bucket counts as complete this long after its end, so a slow poll can still land in it. */
const GRACE_MS = 5_000;
const MINUTE = 60_000;
const HOUR = 3600_000;

interface Step { source: string; target: string; width: number; fromRollups: boolean }
const STEPS: Step[] = [
  { source: 'frames', target: 'frames_1m', width: MINUTE, fromRollups: false },
  { source: 'frames_1m', target: 'frames_1h', width: HOUR, fromRollups: true },
];

interface Budget { left: number; more: boolean }

function maxTs(db: DB, table: string, endpointId: number): number | null {
  const v = db.selectValue(`SELECT max(ts) FROM ${table} WHERE endpoint_id = ?`, [endpointId]);
  return typeof v === 'number' ? v : null;
}

/**
 * Rolls the complete buckets of `endpointId` not yet in `step.target` (those starting before `end`).
 * Returns how many buckets were written and whether everything up to `end` was done.
 */
function rollStep(db: DB, endpointId: number, step: Step, end: number, budget: Budget, layouts: Map<number, Layout>): { buckets: number; caughtUp: boolean } {
  const last = maxTs(db, step.target, endpointId);
  const next = last === null ? 0 : last + step.width;
  if (next >= end || budget.left <= 0) return { buckets: 0, caughtUp: next >= end };
  const batch = readFrames(db, step.source, endpointId, next, end, false, budget.left + 1);
  const all = step.fromRollups ? decodeRollup(batch.bytes) : decodeFrame(batch.bytes);
  const width = step.fromRollups ? 4 : 8;
  const got = batch.ts.map((ts, i) => ({
    ts, layoutId: batch.layoutIds[i], n: batch.n[i],
    vals: all.subarray(batch.offsets[i] / width, (batch.offsets[i] + batch.lengths[i]) / width),
  }));
  let caughtUp = true;
  if (got.length > budget.left) {
    caughtUp = false;
    budget.more = true;
    const lastBucket = bucketStart(got[got.length - 1].ts, step.width);
    const whole = got.filter((r) => bucketStart(r.ts, step.width) < lastBucket);
    // One bucket larger than the whole budget is still rolled, else the pass would never advance.
    got.splice(0, got.length, ...(whole.length ? whole : got.filter((r) => bucketStart(r.ts, step.width) === lastBucket)));
  }
  budget.left -= got.length;
  const write = db.prepare(`INSERT OR REPLACE INTO ${step.target}(endpoint_id, ts, layout_id, n, vals) VALUES (?, ?, ?, ?, ?)`);
  const stride = step.fromRollups ? ROLLUP_STATS : 1;
  // Per pass, buckets share a handful of layouts: resolve each union and each row mapping once.
  const targets = new Map<string, Layout>();
  const maps = new Map<string, number[]>();
  let buckets = 0;
  try {
    for (let i = 0; i < got.length;) {
      const b = bucketStart(got[i].ts, step.width);
      let j = i;
      while (j < got.length && bucketStart(got[j].ts, step.width) === b) j++;
      const group = got.slice(i, j);
      const ids = [...new Set(group.map((r) => r.layoutId))].sort((x, y) => y - x);
      let target = targets.get(ids.join());
      if (!target) {
        target = layoutWithKeys(db, endpointId, unionKeys(db, ids, layouts));
        targets.set(ids.join(), target);
      }
      const keys = target.keys;
      const rowsIn: BucketRow[] = group.map((r) => {
        const mapKey = `${r.layoutId}>${target.id}`;
        let map = maps.get(mapKey);
        if (!map) {
          const l = layoutById(db, r.layoutId, layouts);
          map = keys.map((k) => (l.pos.has(k) ? l.pos.get(k)! * stride : -1));
          maps.set(mapKey, map);
        }
        return { vals: r.vals, n: r.n, map };
      });
      const n = group.reduce((sum, r) => sum + r.n, 0);
      write.bind([endpointId, b, target.id, n, encodeRollup(rollupBucket(rowsIn, keys.length, step.fromRollups))]).stepReset();
      buckets++;
      i = j;
    }
  } finally {
    write.finalize();
  }
  return { buckets, caughtUp };
}

/** Keys of several layouts (ids newest first): the newest one's, then any others' it lacks, at most MAX_SERIES. */
function unionKeys(db: DB, ids: number[], layouts: Map<number, Layout>): string[] {
  const keys = [...layoutById(db, ids[0], layouts).keys];
  const seen = new Set(keys);
  for (const id of ids.slice(1)) for (const k of layoutById(db, id, layouts).keys) if (!seen.has(k)) { seen.add(k); keys.push(k); }
  return keys.slice(0, MAX_SERIES);
}

/**
 * An endpoint with more layouts than this has its unused ones deleted. A steady server has a handful;
 * checking reads all of the endpoint's stored rows, so it is not done for those.
 */
const LAYOUTS_UNCHECKED = 32;

/**
 * Deletes up to the budget's layouts of `endpointId` that no stored row (raw, minute or hour) uses,
 * keeping the newest RECENT for reuse. Without this every layout ever made (one per new label value)
 * would stay, and seriesKeys would keep offering series that have no data left.
 */
function pruneLayouts(db: DB, endpointId: number, budget: Budget): number {
  if (budget.left <= 0) return 0;
  if (Number(db.selectValue('SELECT count(*) FROM layouts WHERE endpoint_id = ?', [endpointId])) <= LAYOUTS_UNCHECKED) return 0;
  db.exec({
    sql: `DELETE FROM layouts WHERE id IN (SELECT id FROM layouts WHERE endpoint_id = ?1
            AND id NOT IN (SELECT id FROM layouts WHERE endpoint_id = ?1 ORDER BY id DESC LIMIT ?3)
            AND id NOT IN (SELECT layout_id FROM frames WHERE endpoint_id = ?1)
            AND id NOT IN (SELECT layout_id FROM frames_1m WHERE endpoint_id = ?1)
            AND id NOT IN (SELECT layout_id FROM frames_1h WHERE endpoint_id = ?1)
            ORDER BY id LIMIT ?2)`,
    bind: [endpointId, budget.left, RECENT],
  });
  const n = db.changes();
  budget.left -= n;
  if (budget.left <= 0) budget.more = true;
  return n;
}

/** Deletes up to the budget's rows of `table` for `endpointId` older than `before`. */
function prune(db: DB, table: string, endpointId: number | null, before: number, budget: Budget): number {
  if (budget.left <= 0) { budget.more = true; return 0; }
  const scope = endpointId === null ? '' : 'endpoint_id = ? AND';
  db.exec({
    sql: `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${scope} ts < ? LIMIT ?)`,
    bind: endpointId === null ? [before, budget.left] : [endpointId, before, budget.left],
  });
  const n = db.changes();
  budget.left -= n;
  if (budget.left <= 0) budget.more = true;
  return n;
}

/**
 * One bounded pass of rollup and pruning at time `now` (ms), touching at most about `maxRows` rows
 * in one transaction. Call again while `more` is true. Running it twice changes nothing more.
 */
export function rollupAndPrune(db: DB, now: number, policy: RetentionPolicy = DEFAULT_RETENTION, maxRows = 5000): { rolledMinutes: number; deleted: number; more: boolean } {
  const rawMs = Math.max(policy.rawMs, MIN_RAW_MS);
  return inTx(db, () => {
    const budget: Budget = { left: Math.max(1, maxRows), more: false };
    const layouts = new Map<number, Layout>();
    let rolledMinutes = 0;
    let deleted = 0;
    const endpointIds = db.selectValues('SELECT DISTINCT endpoint_id FROM layouts ORDER BY endpoint_id') as number[];
    for (const id of endpointIds) {
      const minuteEnd = bucketStart(now - GRACE_MS, MINUTE);
      const minutes = rollStep(db, id, STEPS[0], minuteEnd, budget, layouts);
      rolledMinutes += minutes.buckets;
      const lastMinute = maxTs(db, 'frames_1m', id);
      const hourEnd = minutes.caughtUp ? bucketStart(now - GRACE_MS, HOUR) : bucketStart(lastMinute ?? 0, HOUR);
      rollStep(db, id, STEPS[1], hourEnd, budget, layouts);
      const lastHour = maxTs(db, 'frames_1h', id);
      if (lastMinute !== null) deleted += prune(db, 'frames', id, Math.min(now - rawMs, lastMinute + MINUTE), budget);
      if (lastHour !== null) deleted += prune(db, 'frames_1m', id, Math.min(now - policy.minuteMs, lastHour + HOUR), budget);
      deleted += prune(db, 'frames_1h', id, now - policy.hourMs, budget);
      deleted += pruneLayouts(db, id, budget);
    }
    deleted += prune(db, 'events', null, now - policy.hourMs, budget);
    return { rolledMinutes, deleted, more: budget.more };
  });
}
