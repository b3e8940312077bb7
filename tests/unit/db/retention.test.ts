import { beforeEach, describe, expect, test } from 'vitest';
import { addEndpoint } from '../../../src/db/endpoints';
import { DEFAULT_RETENTION, latestValues, listEvents, queryHistory, rollupAndPrune, saveFrames } from '../../../src/db/metrics';
import { decodeRollup } from '../../../src/lib/frame-codec';
import type { DB } from '../../../src/db/sql';
import { freshDb } from './helpers';

const MIN = 60_000;
const HOUR = 3600_000;
const T0 = Math.floor(1_764_000_000_000 / HOUR) * HOUR;
let db: DB;
let ep: number;

beforeEach(async () => {
  db = await freshDb();
  ep = addEndpoint(db, { kind: 'llama', name: 'a', url: 'http://h:1', apiKey: null, intervalMs: 1000, enabled: true }).id;
});

const count = (table: string) => Number(db.selectValue(`SELECT count(*) FROM ${table}`));

function fill(seconds: number, values: (i: number) => Record<string, number | null>, start = T0) {
  for (let i = 0; i < seconds; i++) saveFrames(db, [{ endpointId: ep, ts: start + i * 1000, values: values(i) }]);
}

function minuteRow(ts: number): number[] {
  const blob = db.selectValue('SELECT vals FROM frames_1m WHERE endpoint_id = ? AND ts = ?', [ep, ts]) as Uint8Array;
  return Array.from(decodeRollup(blob));
}

describe('rollupAndPrune', () => {
  test('rolls complete minutes into min/max/avg/last per key and leaves the running minute', () => {
    fill(150, (i) => ({ v: i, sparse: i % 30 === 0 ? i : null }));
    const r = rollupAndPrune(db, T0 + 150_000 + 10_000);
    expect(r).toEqual({ rolledMinutes: 2, deleted: 0, more: false });
    // keys in layout order (a first frame's keys are sorted): sparse, v; 4 stats each
    expect(minuteRow(T0)).toEqual([0, 30, 15, 30, 0, 59, 29.5, 59]);
    expect(minuteRow(T0 + MIN)).toEqual([60, 90, 75, 90, 60, 119, 89.5, 119]);
    expect(count('frames_1m')).toBe(2);
    expect(count('frames')).toBe(150);
  });

  test('running it again changes nothing', () => {
    fill(200, (i) => ({ v: i }));
    const now = T0 + 200_000 + 10_000;
    rollupAndPrune(db, now);
    const snapshot = db.selectArrays('SELECT endpoint_id, ts, layout_id, n, hex(vals) FROM frames_1m ORDER BY ts');
    expect(rollupAndPrune(db, now)).toEqual({ rolledMinutes: 0, deleted: 0, more: false });
    expect(db.selectArrays('SELECT endpoint_id, ts, layout_id, n, hex(vals) FROM frames_1m ORDER BY ts')).toEqual(snapshot);
  });

  test('rolls minutes into hours, weighting averages by sample count', () => {
    fill(2 * 3600, (i) => ({ v: i < 3600 ? 1 : i === 5000 ? 1000 : 3 }));
    const now = T0 + 2 * HOUR + 10_000;
    while (rollupAndPrune(db, now, DEFAULT_RETENTION, 100_000).more);
    expect(count('frames_1h')).toBe(2);
    const hours = db.selectArrays('SELECT ts, n, vals FROM frames_1h ORDER BY ts');
    expect(hours.map((h) => h[1])).toEqual([3600, 3600]);
    expect(Array.from(decodeRollup(hours[0][2] as Uint8Array))).toEqual([1, 1, 1, 1]);
    const second = Array.from(decodeRollup(hours[1][2] as Uint8Array));
    expect(second[0]).toBe(3);
    expect(second[1]).toBe(1000);
    expect(second[2]).toBeCloseTo((3599 * 3 + 1000) / 3600, 4);
    expect(second[3]).toBe(3);
  });

  test('prunes raw beyond its window in batches, only after rolling it up', () => {
    fill(3 * 3600, (i) => ({ v: i % 100 }));
    const now = T0 + 3 * HOUR + 30 * MIN;
    const policy = { ...DEFAULT_RETENTION, rawMs: HOUR };
    let passes = 0;
    let deleted = 0;
    let rolled = 0;
    let r;
    do {
      r = rollupAndPrune(db, now, policy, 1000);
      passes++;
      deleted += r.deleted;
      rolled += r.rolledMinutes;
      expect(r.deleted + r.rolledMinutes).toBeLessThanOrEqual(1100);
    } while (r.more);
    expect(passes).toBeGreaterThan(5);
    expect(rolled).toBe(180);
    // raw older than now - 1 h is gone: the first 2.5 h of the 3 h filled
    expect(deleted).toBe(2.5 * 3600);
    expect(count('frames')).toBe(1800);
    expect(Number(db.selectValue('SELECT min(ts) FROM frames'))).toBe(now - HOUR);
    expect(rollupAndPrune(db, now, policy, 1000)).toEqual({ rolledMinutes: 0, deleted: 0, more: false });
    // a 3 h view now comes from minute rollups (each its min and max), keeping the extremes
    const h = queryHistory(db, { endpointId: ep, keys: ['v'], from: T0, to: T0 + 3 * HOUR, points: 2000 });
    expect(h.tier).toBe('1m');
    expect(h.ts).toHaveLength(360);
    expect(h.values.v.slice(0, 4)).toEqual([0, 59, 0, 99]);
  });

  test('keeps raw samples of minutes not yet rolled and never less than 10 minutes', () => {
    fill(20 * 60, (i) => ({ v: i }));
    const now = T0 + 20 * MIN + 10_000;
    let r;
    do r = rollupAndPrune(db, now, { rawMs: 1000, minuteMs: HOUR, hourMs: HOUR }, 500); while (r.more);
    expect(Number(db.selectValue('SELECT min(ts) FROM frames'))).toBe(now - 10 * MIN);
  });

  test('deletes rollups and events beyond their windows', () => {
    fill(120, (i) => ({ v: i }));
    saveFrames(db, [], [{ endpointId: ep, ts: T0, kind: 'restart' }]);
    const policy = { rawMs: 10 * MIN, minuteMs: 2 * HOUR, hourMs: 24 * HOUR };
    rollupAndPrune(db, T0 + 5 * MIN, policy);
    expect(count('frames_1m')).toBe(2);
    let r;
    do r = rollupAndPrune(db, T0 + 3 * HOUR, policy); while (r.more);
    expect(count('frames')).toBe(0);
    expect(count('frames_1h')).toBe(1);
    expect(count('frames_1m')).toBe(0);
    expect(latestValues(db, ep)).toEqual({ endpointId: ep, ts: T0, values: { v: 119 } });
    do r = rollupAndPrune(db, T0 + 25 * HOUR, policy); while (r.more);
    expect(count('frames_1h')).toBe(0);
    expect(listEvents(db, ep, 0, T0 * 2)).toEqual([]);
  });
});
