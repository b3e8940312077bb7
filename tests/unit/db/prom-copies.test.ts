import { describe, expect, test } from 'vitest';
import { migrate } from '../../../src/db/schema';
import { addEndpoint } from '../../../src/db/endpoints';
import { deleteCopy, getCopy, listCopies, saveCopy } from '../../../src/db/prom-copies';
import { checkImage, exportFile } from '../../../src/db/backup';
import type { PromCopyInput } from '../../../src/lib/prom-copy';
import { fileAtVersion, freshDb, keptRows, openImage, sqlite } from './helpers';

/** The version before the one that adds the copies (this migration's number minus one). */
const PREVIOUS = 7;
const T0 = 1_760_000_000_000;

const copy = (endpointId: number | null, over: Partial<PromCopyInput> = {}): PromCopyInput => ({
  endpointId, source: 'http://127.0.0.1:9090', kind: 'llama', job: 'llama', instance: '10.0.0.5:8080', model: null,
  startMs: T0, stepMs: 15_000, points: 4,
  lines: [
    { chart: 'genTps', chartLabel: 'Generation tok/s', key: 'genTps', label: 'Generation tok/s', values: new Float64Array([1, NaN, 3, 4]) },
    { chart: 'ctxFill', chartLabel: 'Context fill per slot', key: 'ctxFill:0', label: 'slot 0', values: new Float64Array([0.1, 0.2, NaN, NaN]) },
  ],
  ...over,
});

describe('local copies migration', () => {
  test('upgrades a database of the previous version, keeping its rows, and then stores a copy', async () => {
    const db = await fileAtVersion(PREVIOUS);
    const before = keptRows(db);
    expect(before.endpoints.length).toBeGreaterThan(0);
    expect(db.selectValue("SELECT count(*) FROM sqlite_schema WHERE name = 'prom_copies'")).toBe(0);

    expect(migrate(db, PREVIOUS + 1)).toEqual({ from: PREVIOUS, to: PREVIOUS + 1 });
    expect(keptRows(db)).toEqual(before);
    expect(saveCopy(db, copy(null), T0).samples).toBe(5);
    expect(listCopies(db)).toHaveLength(1);
  });
});

describe('local copies', () => {
  test('a stored copy reads back as charts on its grid, with holes as missing, and can be deleted', async () => {
    const db = await freshDb();
    const info = saveCopy(db, copy(3), T0 + 60_000);
    expect(info).toMatchObject({ endpointId: 3, kind: 'llama', job: 'llama', instance: '10.0.0.5:8080', model: null, from: T0, to: T0 + 45_000, stepMs: 15_000, points: 4, samples: 5, series: 2, createdAt: T0 + 60_000 });
    const got = getCopy(db, info.id)!;
    expect(got.info).toEqual(info);
    expect(got.charts.map((c) => [c.id, c.label, c.series])).toEqual([
      ['genTps', 'Generation tok/s', [{ key: 'genTps', label: 'Generation tok/s' }]],
      ['ctxFill', 'Context fill per slot', [{ key: 'ctxFill:0', label: 'slot 0' }]],
    ]);
    expect(got.charts[0].ts).toEqual([T0 / 1000, T0 / 1000 + 15, T0 / 1000 + 30, T0 / 1000 + 45]);
    expect(got.charts[0].values.genTps).toEqual([1, null, 3, 4]);
    expect(got.charts[1].values['ctxFill:0']).toEqual([0.1, 0.2, null, null]);

    const newer = saveCopy(db, copy(3, { job: 'other' }), T0 + 120_000);
    expect(listCopies(db).map((c) => c.id)).toEqual([newer.id, info.id]);
    expect(deleteCopy(db, info.id)).toBe(true);
    expect(deleteCopy(db, info.id)).toBe(false);
    expect(getCopy(db, info.id)).toBeNull();
    expect(db.selectValue('SELECT count(*) FROM prom_copy_series WHERE copy_id = ?', [info.id])).toBe(0);
    expect(listCopies(db).map((c) => c.id)).toEqual([newer.id]);
  });

  test('a line that does not match the grid is refused and nothing is stored', async () => {
    const db = await freshDb();
    expect(() => saveCopy(db, copy(1, { points: 5 }), T0)).toThrow('does not match its time grid');
    expect(listCopies(db)).toEqual([]);
  });

  test('copies go out with an export and come back with an import; bad imported rows are named or counted', async () => {
    const s = await sqlite();
    const db = await freshDb();
    const ep = addEndpoint(db, { kind: 'prometheus', name: 'prom', url: 'http://127.0.0.1:9090', apiKey: 'Basic a:b', intervalMs: 5000, enabled: true });
    const good = saveCopy(db, copy(ep.id), T0);
    const badKind = saveCopy(db, copy(ep.id, { job: 'weird' }), T0);
    db.exec({ sql: "UPDATE prom_copies SET kind = 'toaster' WHERE id = ?", bind: [badKind.id] });
    const badLine = saveCopy(db, copy(ep.id, { job: 'inf' }), T0);
    db.exec({ sql: "UPDATE prom_copy_series SET vals = ? WHERE copy_id = ? AND key = 'genTps'", bind: [new Uint8Array(new Float64Array([1, Infinity, 2, 3]).buffer), badLine.id] });
    db.exec({ sql: "UPDATE prom_copy_series SET vals = ? WHERE copy_id = ? AND key = 'ctxFill:0'", bind: [new Uint8Array(8), badLine.id] });

    const r = checkImage(s, exportFile(s, db));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message).toContain('local Prometheus copy');
    expect(r.report.skipped).toEqual([`local Prometheus copy ${badKind.id} (weird · 10.0.0.5:8080): its kind "toaster" is unknown`]);
    expect(r.report.metricSkips).toEqual({ prom_copy_series: 2 });
    const back = await openImage(r.image);
    expect(listCopies(back).map((c) => c.id)).toEqual([good.id, badLine.id].sort((a, b) => b - a));
    expect(getCopy(back, good.id)).toEqual(getCopy(db, good.id));
    expect(getCopy(back, badLine.id)!.charts).toEqual([]);
    expect(listCopies(back).find((c) => c.id === badLine.id)).toMatchObject({ samples: 0, series: 0 });
    expect(listCopies(back).find((c) => c.id === good.id)).toMatchObject({ samples: 5, series: 2 });
  });
});
