import { beforeEach, describe, expect, test } from 'vitest';
import { addEndpoint, removeEndpoint } from '../../../src/db/endpoints';
import { clearMetrics, latestValues, listEvents, queryHistory, rollupAndPrune, saveFrames, seriesKeys } from '../../../src/db/metrics';
import type { DB } from '../../../src/db/sql';
import type { SampleFrame } from '../../../src/lib/types';
import { freshDb } from './helpers';

const T0 = 1_764_000_000_000;
let db: DB;
let llama: number;
let exporter: number;

beforeEach(async () => {
  db = await freshDb();
  llama = addEndpoint(db, { kind: 'llama', name: 'a', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true }).id;
  exporter = addEndpoint(db, { kind: 'exporter', name: 'b', url: 'http://127.0.0.1:9101', apiKey: null, intervalMs: 1000, enabled: true }).id;
});

const count = (table: string) => db.selectValue(`SELECT count(*) FROM ${table}`);

describe('saveFrames', () => {
  test('stores a tick of several endpoints and any new key without a migration', () => {
    saveFrames(db, [
      { endpointId: llama, ts: T0, values: { gen_tps: 41.5, 'llamacpp:requests_processing': 1 } },
      { endpointId: exporter, ts: T0, values: { 'gpu_util{gpu="0"}': 97, 'gpu_util{gpu="1"}': null } },
    ]);
    saveFrames(db, [{ endpointId: llama, ts: T0 + 1000, values: { gen_tps: 40, 'slot_ctx_fill{slot="3"}': 0.25 } }]);
    expect(latestValues(db, llama)).toEqual({ endpointId: llama, ts: T0 + 1000, values: { gen_tps: 40, 'llamacpp:requests_processing': null, 'slot_ctx_fill{slot="3"}': 0.25 } });
    expect(latestValues(db, exporter)!.values).toEqual({ 'gpu_util{gpu="0"}': 97, 'gpu_util{gpu="1"}': null });
    expect(seriesKeys(db, llama)).toEqual(['gen_tps', 'llamacpp:requests_processing', 'slot_ctx_fill{slot="3"}']);
    const h = queryHistory(db, { endpointId: llama, keys: ['gen_tps', 'slot_ctx_fill{slot="3"}'], from: T0, to: T0 + 1000, points: 100 });
    expect(h).toEqual({ ts: [T0 / 1000, T0 / 1000 + 1], values: { gen_tps: [41.5, 40], 'slot_ctx_fill{slot="3"}': [null, 0.25] }, tier: 'raw' });
  });

  test('ticks that alternate between key sets reuse a few layouts instead of storing NaN', () => {
    const base = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    const slots = { 'slot_busy{slot="0"}': 1, 'slot_busy{slot="1"}': 0 };
    for (let i = 0; i < 30; i++) {
      const values = i % 10 === 9 ? { up: 0 } : i % 2 ? { ...base, up: 1, ...slots } : { ...base, up: 1 };
      saveFrames(db, [{ endpointId: llama, ts: T0 + i * 1000, values }]);
    }
    expect(count('layouts')).toBe(3);
    const widths = db.selectValues('SELECT length(vals) / 8 FROM frames ORDER BY ts LIMIT 10');
    expect(widths).toEqual([21, 23, 21, 23, 21, 23, 21, 23, 21, 1]);
    expect(latestValues(db, llama)!.values).toEqual({ up: 0 });
    const h = queryHistory(db, { endpointId: llama, keys: ['k5', 'slot_busy{slot="0"}'], from: T0 + 7000, to: T0 + 9000, points: 10 });
    expect(h.values).toEqual({ k5: [5, 5, null], 'slot_busy{slot="0"}': [1, null, null] });
  });

  test('a batch with one bad value is rejected whole and leaves nothing behind', () => {
    saveFrames(db, [{ endpointId: llama, ts: T0, values: { gen_tps: 1 } }]);
    const bad: SampleFrame[] = [
      { endpointId: llama, ts: T0 + 1000, values: { gen_tps: 2, brand_new_key: 5 } },
      { endpointId: exporter, ts: T0 + 1000, values: { cpu_util: 'high' as unknown as number } },
    ];
    expect(() => saveFrames(db, bad, [{ endpointId: llama, ts: T0 + 1000, kind: 'restart' }])).toThrow('Series "cpu_util" has a value that cannot be stored: high');
    expect(() => saveFrames(db, [{ endpointId: llama, ts: T0 + 2000, values: { gen_tps: Infinity } }])).toThrow('gen_tps');
    expect(() => saveFrames(db, [{ endpointId: llama, ts: Number.NaN, values: { gen_tps: 1 } }])).toThrow('not a time');
    expect(count('frames')).toBe(1);
    expect(count('events')).toBe(0);
    expect(seriesKeys(db, llama)).toEqual(['gen_tps']);
    expect(latestValues(db, exporter)).toBeNull();
  });

  test('a frame at the same time replaces the earlier one; frames of removed endpoints are dropped', () => {
    saveFrames(db, [{ endpointId: llama, ts: T0, values: { gen_tps: 1 } }]);
    expect(saveFrames(db, [{ endpointId: llama, ts: T0, values: { gen_tps: 2 } }, { endpointId: 999, ts: T0, values: { x: 1 } }],
      [{ endpointId: 999, ts: T0, kind: 'up' }])).toBe(1);
    expect(count('events')).toBe(0);
    expect(count('frames')).toBe(1);
    expect(latestValues(db, llama)!.values.gen_tps).toBe(2);
    expect(seriesKeys(db, 999)).toEqual([]);
  });

  test('an endpoint removed after it stored ticks gets no more frames or events', () => {
    saveFrames(db, [{ endpointId: llama, ts: T0, values: { gen_tps: 1 } }, { endpointId: exporter, ts: T0, values: { cpu_util: 5 } }]);
    removeEndpoint(db, llama);
    expect(saveFrames(db, [{ endpointId: llama, ts: T0 + 1000, values: { gen_tps: 2 } }, { endpointId: exporter, ts: T0 + 1000, values: { cpu_util: 6 } }],
      [{ endpointId: llama, ts: T0 + 1000, kind: 'up' }])).toBe(1);
    expect(db.selectValue('SELECT count(*) FROM frames WHERE endpoint_id = ?', [llama])).toBe(0);
    expect(count('events')).toBe(0);
    expect(latestValues(db, exporter)).toEqual({ endpointId: exporter, ts: T0 + 1000, values: { cpu_util: 6 } });
  });

  test('layouts rewritten behind the save path (ids reused for other keys) never mislabel a value', () => {
    saveFrames(db, [{ endpointId: llama, ts: T0, values: { a: 1, b: 2 } }]);
    // What an import or a hand edit can do: the same layout id now names other keys, in another order.
    db.exec('DELETE FROM frames; DELETE FROM layouts');
    db.exec({ sql: `INSERT INTO layouts(id, endpoint_id, keys) VALUES (1, ?, '["b","a"]')`, bind: [llama] });
    saveFrames(db, [{ endpointId: llama, ts: T0 + 1000, values: { a: 10, b: 20 } }]);
    expect(latestValues(db, llama)).toEqual({ endpointId: llama, ts: T0 + 1000, values: { a: 10, b: 20 } });
    // And the layout's id handed to another endpoint.
    db.exec('DELETE FROM frames; DELETE FROM layouts');
    db.exec({ sql: `INSERT INTO layouts(id, endpoint_id, keys) VALUES (1, ?, '["b","a"]')`, bind: [exporter] });
    saveFrames(db, [{ endpointId: llama, ts: T0 + 2000, values: { a: 11, b: 21 } }]);
    expect(latestValues(db, llama)).toEqual({ endpointId: llama, ts: T0 + 2000, values: { a: 11, b: 21 } });
    expect(db.selectValue('SELECT count(*) FROM frames f JOIN layouts l ON l.id = f.layout_id WHERE l.endpoint_id != f.endpoint_id')).toBe(0);
  });

  test('a layout made in a batch that was rolled back is not used by the next one', () => {
    saveFrames(db, [{ endpointId: llama, ts: T0, values: { a: 1 } }]);
    expect(() => saveFrames(db, [{ endpointId: llama, ts: T0 + 1000, values: { a: 2, fresh: Number.POSITIVE_INFINITY } }])).toThrow(/fresh/);
    saveFrames(db, [{ endpointId: exporter, ts: T0 + 1000, values: { other: 3, keys: 4 } }]);
    saveFrames(db, [{ endpointId: llama, ts: T0 + 2000, values: { a: 5, fresh: 6 } }]);
    expect(latestValues(db, llama)).toEqual({ endpointId: llama, ts: T0 + 2000, values: { a: 5, fresh: 6 } });
    expect(latestValues(db, exporter)).toEqual({ endpointId: exporter, ts: T0 + 1000, values: { other: 3, keys: 4 } });
    expect(db.selectValue('SELECT count(*) FROM frames f JOIN layouts l ON l.id = f.layout_id WHERE l.endpoint_id != f.endpoint_id')).toBe(0);
  });

  test('a tick of many endpoints stores each frame under a layout of its own endpoint', () => {
    const ids = [llama, exporter, ...Array.from({ length: 4 }, (_, i) =>
      addEndpoint(db, { kind: 'llama', name: `s${i}`, url: `http://10.0.0.${i}:8080`, apiKey: null, intervalMs: 1000, enabled: true }).id)];
    saveFrames(db, [{ endpointId: ids[2], ts: T0, values: { a: 1, b: 2 } }]);
    const tick = (ts: number) => ids.map((endpointId, i) => ({ endpointId, ts, values: { a: i, b: ts / 1000 } }));
    saveFrames(db, [...tick(T0 + 1000), ...tick(T0 + 2000)]);
    expect(db.selectValue('SELECT count(*) FROM frames f JOIN layouts l ON l.id = f.layout_id WHERE l.endpoint_id != f.endpoint_id')).toBe(0);
    expect(count('layouts')).toBe(ids.length);
    ids.forEach((id, i) => expect(latestValues(db, id)).toEqual({ endpointId: id, ts: T0 + 2000, values: { a: i, b: T0 / 1000 + 2 } }));
  });

  test('costs about one float64 per sample on disk', () => {
    const keys = Array.from({ length: 20 }, (_, i) => `series_${i}`);
    const before = Number(db.selectValue('PRAGMA page_count'));
    const ticks = 3600;
    for (let t = 0; t < ticks; t++) {
      saveFrames(db, [llama, exporter].map((endpointId) => ({
        endpointId, ts: T0 + t * 1000, values: Object.fromEntries(keys.map((k, i) => [k, i < 5 ? t * (i + 1) : Math.random() * 100])),
      })));
    }
    const bytes = (Number(db.selectValue('PRAGMA page_count')) - before) * Number(db.selectValue('PRAGMA page_size'));
    expect(bytes / (ticks * 40)).toBeLessThan(12);
  });
});

describe('queryHistory', () => {
  function fill(seconds: number, value: (i: number) => number | null, key = 'gen_tps') {
    for (let i = 0; i < seconds; i++) saveFrames(db, [{ endpointId: llama, ts: T0 + i * 1000, values: { [key]: value(i) } }]);
  }

  test('downsamples to about the requested points and keeps one-second spikes', () => {
    fill(600, (i) => (i === 333 ? 500 : i === 444 ? -7 : 10));
    const h = queryHistory(db, { endpointId: llama, keys: ['gen_tps'], from: T0, to: T0 + 599_000, points: 60 });
    expect(h.tier).toBe('raw');
    expect(h.ts.length).toBeLessThanOrEqual(60);
    expect(h.ts.length).toBeGreaterThanOrEqual(50);
    expect(Math.max(...(h.values.gen_tps as number[]))).toBe(500);
    expect(Math.min(...(h.values.gen_tps as number[]))).toBe(-7);
    expect(h.ts.every((t, i) => i === 0 || t > h.ts[i - 1])).toBe(true);
    expect(h.ts[0]).toBeGreaterThanOrEqual(T0 / 1000);
  });

  test('missing values and unknown keys are null, an outage is a break in the line', () => {
    fill(30, (i) => (i % 2 ? null : i));
    for (let i = 90; i < 100; i++) saveFrames(db, [{ endpointId: llama, ts: T0 + i * 1000, values: { gen_tps: i } }]);
    const h = queryHistory(db, { endpointId: llama, keys: ['gen_tps', 'nope'], from: T0, to: T0 + 99_000, points: 1000 });
    expect(h.values.gen_tps.slice(0, 4)).toEqual([0, null, 2, null]);
    expect(h.values.nope.every((v) => v === null)).toBe(true);
    const gapAt = h.ts.findIndex((t) => t > T0 / 1000 + 29 && t < T0 / 1000 + 90);
    expect(gapAt).toBeGreaterThan(0);
    expect(h.values.gen_tps[gapAt]).toBeNull();
    expect(h.ts).toHaveLength(30 + 1 + 10);
  });

  test('only the asked range and endpoint, even with other endpoints interleaved', () => {
    for (let i = 0; i < 100; i++) {
      saveFrames(db, [{ endpointId: llama, ts: T0 + i * 1000, values: { v: i } }, { endpointId: exporter, ts: T0 + i * 1000, values: { v: -i } }]);
    }
    const h = queryHistory(db, { endpointId: exporter, keys: ['v'], from: T0 + 10_000, to: T0 + 19_000, points: 100 });
    expect(h.values.v).toEqual([-10, -11, -12, -13, -14, -15, -16, -17, -18, -19]);
    expect(() => queryHistory(db, { endpointId: llama, keys: ['v'], from: T0 + 5, to: T0, points: 10 })).toThrow('range is empty');
  });

  test('a 7-day view comes from hourly rollups and still shows a one-off spike', () => {
    const DAY = 86400_000;
    const frames: SampleFrame[] = [];
    for (let t = 0; t < 8 * DAY; t += 60_000) frames.push({ endpointId: llama, ts: T0 + t, values: { gen_tps: t === 5 * DAY + 120_000 ? 900 : 20 } });
    saveFrames(db, frames);
    const now = T0 + 8 * DAY;
    let r;
    do r = rollupAndPrune(db, now, { rawMs: 8 * DAY, minuteMs: 30 * DAY, hourMs: 400 * DAY }, 50_000); while (r.more);
    const h = queryHistory(db, { endpointId: llama, keys: ['gen_tps'], from: now - 7 * DAY, to: now, points: 1000 });
    expect(h.tier).toBe('1h');
    expect(h.ts.length).toBeLessThanOrEqual(1000);
    expect(h.ts.length).toBeGreaterThan(300);
    expect(Math.max(...(h.values.gen_tps as number[]))).toBe(900);
    expect(Math.min(...(h.values.gen_tps as number[]))).toBe(20);
    const day = queryHistory(db, { endpointId: llama, keys: ['gen_tps'], from: now - DAY, to: now, points: 1000 });
    // one frame a minute: 1440 raw rows are within a query's row budget, so raw wins
    expect(day.tier).toBe('raw');
  });

  // How fast this is belongs to `npm run bench` ("query 10 min", budget 10 ms), not to a test.
  test('a 10-minute query of an hour of 1 s ticks of 20 keys answers from raw samples, one point per second', () => {
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    for (let i = 0; i < 3600; i++) {
      saveFrames(db, [llama, exporter].map((endpointId) => ({ endpointId, ts: T0 + i * 1000, values: Object.fromEntries(keys.map((k, j) => [k, i + j])) })));
    }
    const h = queryHistory(db, { endpointId: llama, keys: keys.slice(0, 6), from: T0 + 3000_000, to: T0 + 3599_000, points: 800 });
    expect(h.tier).toBe('raw');
    expect(h.ts).toHaveLength(600);
    expect(h.ts[0]).toBe(T0 / 1000 + 3000);
    expect(h.values.k5[599]).toBe(3599 + 5);
  });
});

describe('events and clearing', () => {
  test('events come back in time order within the range', () => {
    saveFrames(db, [], [
      { endpointId: llama, ts: T0 + 5000, kind: 'down', detail: 'connection refused' },
      { endpointId: llama, ts: T0 + 1000, kind: 'restart' },
      { endpointId: exporter, ts: T0 + 2000, kind: 'up' },
      { endpointId: llama, ts: T0 + 90_000, kind: 'up' },
    ]);
    expect(listEvents(db, llama, T0, T0 + 60_000)).toEqual([
      { endpointId: llama, ts: T0 + 1000, kind: 'restart' },
      { endpointId: llama, ts: T0 + 5000, kind: 'down', detail: 'connection refused' },
    ]);
  });

  test('a stored event of a kind this version does not know is kept in the file but not handed out as a marker', () => {
    saveFrames(db, [], [{ endpointId: llama, ts: T0 + 1000, kind: 'restart' }]);
    db.exec({ sql: 'INSERT INTO events(endpoint_id, ts, kind, detail) VALUES (?, ?, ?, ?)', bind: [llama, T0 + 2000, 'oom-kill', 'from a foreign tool'] });
    expect(listEvents(db, llama, T0, T0 + 60_000)).toEqual([{ endpointId: llama, ts: T0 + 1000, kind: 'restart' }]);
    expect(count('events')).toBe(2);
  });

  test('clearMetrics empties every sample table; removeEndpoint removes only its own', () => {
    saveFrames(db, [{ endpointId: llama, ts: T0, values: { a: 1 } }, { endpointId: exporter, ts: T0, values: { b: 1 } }], [{ endpointId: llama, ts: T0, kind: 'up' }]);
    removeEndpoint(db, llama);
    expect(latestValues(db, llama)).toBeNull();
    expect(listEvents(db, llama, 0, T0 * 2)).toEqual([]);
    expect(latestValues(db, exporter)!.values).toEqual({ b: 1 });
    clearMetrics(db);
    for (const t of ['frames', 'frames_1m', 'frames_1h', 'layouts', 'events']) expect(count(t)).toBe(0);
    expect(count('endpoints')).toBe(1);
  });
});
