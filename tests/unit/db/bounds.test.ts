import { beforeEach, describe, expect, test } from 'vitest';
import { addEndpoint } from '../../../src/db/endpoints';
import { latestValues, queryHistory, rollupAndPrune, saveFrames, seriesKeys } from '../../../src/db/metrics';
import { MAX_SERIES } from '../../../src/lib/limits';
import { SeriesBudget } from '../../../src/lib/series-budget';
import type { DB } from '../../../src/db/sql';
import { freshDb } from './helpers';

const HOUR = 3600_000;
const T0 = Math.floor(1_764_000_000_000 / HOUR) * HOUR;
let db: DB;
let ep: number;

beforeEach(async () => {
  db = await freshDb();
  ep = addEndpoint(db, { kind: 'llama', name: 'a', url: 'http://h:1', apiKey: null, intervalMs: 1000, enabled: true }).id;
});

const layoutCount = () => Number(db.selectValue('SELECT count(*) FROM layouts WHERE endpoint_id = ?', [ep]));
const longestLayout = () => Number(db.selectValue('SELECT max(json_array_length(keys)) FROM layouts'));
const steady = (i: number) => ({ up: 1, 'llamacpp:prompt_tokens_total': i, 'llamacpp:requests_processing': 0 });
/** A tick of a server whose /metrics carries one new label value per read. */
const churning = (i: number) => ({ ...steady(i), [`llamacpp:churn_total{id="${i}"}`]: 1 });

describe('stored series stay bounded', () => {
  test('a frame with more keys than MAX_SERIES is stored under a layout of at most MAX_SERIES keys', () => {
    const values: Record<string, number> = {};
    for (let i = 0; i < MAX_SERIES + 200; i++) values[`llamacpp:k{i="${String(i).padStart(4, '0')}"}`] = i;
    saveFrames(db, [{ endpointId: ep, ts: T0, values }]);
    expect(longestLayout()).toBe(MAX_SERIES);
    expect(Object.keys(latestValues(db, ep)!.values)).toHaveLength(MAX_SERIES);
    // Layouts built on an existing one stay within the cap too.
    saveFrames(db, [{ endpointId: ep, ts: T0 + 1000, values: { ...values, 'llamacpp:another': 1 } }]);
    expect(longestLayout()).toBeLessThanOrEqual(MAX_SERIES);
  });

  test('one new label value per tick for 1000 ticks: keys per endpoint never pass the cap and layouts stop growing', () => {
    const budget = new SeriesBudget('llama');
    let layoutsAtCap = 0;
    for (let i = 0; i < 1000; i++) {
      saveFrames(db, [{ endpointId: ep, ts: T0 + i * 1000, values: budget.admit(churning(i)).values }]);
      if (i === 700) layoutsAtCap = layoutCount();
    }
    expect(seriesKeys(db, ep).length).toBeLessThanOrEqual(MAX_SERIES);
    expect(longestLayout()).toBeLessThanOrEqual(MAX_SERIES);
    expect(layoutCount()).toBe(layoutsAtCap);
    expect(latestValues(db, ep)!.values['llamacpp:prompt_tokens_total']).toBe(999);
  });

  test('layouts no stored row uses are deleted once their rows are retained away, in batches', () => {
    for (let i = 0; i < 600; i++) saveFrames(db, [{ endpointId: ep, ts: T0 + i * 1000, values: churning(i) }]);
    const before = layoutCount();
    expect(before).toBeGreaterThan(500);
    const now = T0 + 3 * HOUR;
    const first = rollupAndPrune(db, now, undefined, 200);
    expect(first.more).toBe(true);
    for (let pass = 0; pass < 50 && rollupAndPrune(db, now, undefined, 200).more; pass++);
    expect(Number(db.selectValue('SELECT count(*) FROM frames WHERE endpoint_id = ?', [ep]))).toBe(0);
    // Left: the rollups' layouts (one per minute and hour), the newest kept for reuse, and no more than the
    // 32 an endpoint may have before its unused ones are looked for.
    expect(layoutCount()).toBeLessThanOrEqual(32);
    for (const t of ['frames', 'frames_1m', 'frames_1h']) {
      expect(Number(db.selectValue(`SELECT count(*) FROM ${t} WHERE layout_id NOT IN (SELECT id FROM layouts)`))).toBe(0);
    }
    const h = queryHistory(db, { endpointId: ep, keys: ['llamacpp:prompt_tokens_total'], from: T0, to: T0 + 600_000, points: 100 });
    expect(h.tier).toBe('1m');
    expect(h.values['llamacpp:prompt_tokens_total'].filter((v) => v !== null).length).toBeGreaterThan(0);
  });
});
