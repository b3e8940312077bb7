import { beforeEach, describe, expect, test } from 'vitest';
import { addEndpoint } from '../../../src/db/endpoints';
import { coverage, saveBackfill } from '../../../src/db/backfill';
import { listEvents, rollupAndPrune, saveFrames } from '../../../src/db/metrics';
import { decodeRollup, ROLLUP_STATS, STAT_AVG } from '../../../src/lib/frame-codec';
import { filledDetail, planGaps } from '../../../src/lib/gap-plan';
import type { SampleFrame } from '../../../src/lib/types';
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

const count = (table: string) => Number(db.selectValue(`SELECT count(*) FROM ${table} WHERE endpoint_id = ?`, [ep]));
const n = (table: string, ts: number) => Number(db.selectValue(`SELECT n FROM ${table} WHERE endpoint_id = ? AND ts = ?`, [ep, ts]));

/** Polled samples every 10 s in [from, to): up, gen_tps = v. */
function poll(from: number, to: number, v: number) {
  for (let t = from; t < to; t += 10_000) saveFrames(db, [{ endpointId: ep, ts: t, values: { up: 1, gen_tps: v } }]);
}

function exporterRows(from: number, to: number, v: number): SampleFrame[] {
  const out: SampleFrame[] = [];
  for (let t = from; t < to; t += 10_000) out.push({ endpointId: ep, ts: t + 5000, values: { up: 1, gen_tps: v } });
  return out;
}

/** The average of gen_tps in one rollup row. */
function avgOf(table: string, ts: number): number {
  const [blob, keys] = db.selectArray(`SELECT f.vals, l.keys FROM ${table} f JOIN layouts l ON l.id = f.layout_id WHERE f.endpoint_id = ? AND f.ts = ?`, [ep, ts]) as [Uint8Array, string];
  return decodeRollup(blob)[(JSON.parse(keys) as string[]).indexOf('gen_tps') * ROLLUP_STATS + STAT_AVG];
}

describe('filling a gap', () => {
  test('finds the gap, stores the fill once with its marker, and rolls buckets retention had passed', () => {
    poll(T0, T0 + 10 * MIN, 10);
    poll(T0 + 60 * MIN, T0 + 70 * MIN, 10);
    rollupAndPrune(db, T0 + 70 * MIN);
    const hourBefore = n('frames_1h', T0);

    const c = coverage(db, ep, T0, T0 + 70 * MIN);
    const gaps = planGaps({ ...c, window: { from: T0, to: T0 + 70 * MIN }, minGapMs: 30_000 });
    expect(gaps).toEqual([{ from: T0 + 10 * MIN, to: T0 + 60 * MIN - 1 }]);

    const span = gaps[0];
    const rows = exporterRows(T0 + 10 * MIN, T0 + 60 * MIN, 40);
    saveBackfill(db, rows, [{ endpointId: ep, ts: span.from, kind: 'filled', detail: filledDetail(span, 'http://box:8642') }]);
    expect(count('frames')).toBe(120 + 300);
    // Minutes in the gap now have rollups from the filled samples; the hour counts them.
    expect(n('frames_1m', T0 + 30 * MIN)).toBe(6);
    expect(avgOf('frames_1m', T0 + 30 * MIN)).toBe(40);
    expect(n('frames_1h', T0)).toBe(hourBefore + 300);

    // The next plan finds nothing left; the same fill again stores nothing twice.
    const again = coverage(db, ep, T0, T0 + 70 * MIN);
    expect(again.filled).toEqual([span]);
    expect(planGaps({ ...again, window: { from: T0, to: T0 + 70 * MIN }, minGapMs: 30_000 })).toEqual([]);
    saveBackfill(db, rows, []);
    expect(count('frames')).toBe(420);
    expect(n('frames_1m', T0 + 30 * MIN)).toBe(6);
    expect(n('frames_1h', T0)).toBe(hourBefore + 300);
    expect(listEvents(db, ep, 0, Infinity).filter((e) => e.kind === 'filled')).toHaveLength(1);
  });

  test('adds to a minute whose earlier raw samples were pruned instead of losing them', () => {
    poll(T0, T0 + 10 * MIN + 30_000, 10);
    rollupAndPrune(db, T0 + 5 * HOUR);
    rollupAndPrune(db, T0 + 5 * HOUR);
    expect(count('frames')).toBe(0);
    const m = T0 + 10 * MIN;
    expect(n('frames_1m', m)).toBe(3);
    saveFrames(db, [{ endpointId: ep, ts: T0 + 5 * HOUR, values: { up: 1, gen_tps: 1 } }]);
    saveBackfill(db, exporterRows(m + 30_000, m + 60_000, 40), []);
    expect(n('frames_1m', m)).toBe(6);
    expect(avgOf('frames_1m', m)).toBe(25);
  });
});
