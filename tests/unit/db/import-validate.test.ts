import { describe, expect, it } from 'vitest';
import { validateRows } from '../../../src/db/import-validate';
import { addEndpoint } from '../../../src/db/endpoints';
import { DEFAULT_RETENTION, rollupAndPrune, saveFrames } from '../../../src/db/metrics';
import { createModel, saveCatalogue } from '../../../src/db/models';
import { setMeta } from '../../../src/db/metadata';
import { freshDb } from './helpers';

const T0 = 1_760_000_000_000;
const count = (db: Awaited<ReturnType<typeof freshDb>>, table: string) => Number(db.selectValue(`SELECT count(*) FROM ${table}`));

describe('validateRows on an imported database at the current schema', () => {
  it('keeps good rows and drops, by name or count, rows the app could not use safely', async () => {
    const db = await freshDb();
    const a = addEndpoint(db, { kind: 'llama', name: 'a', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true });
    const b = addEndpoint(db, { kind: 'llama', name: 'b', url: 'http://127.0.0.1:8081', apiKey: null, intervalMs: 1000, enabled: true });
    saveFrames(db, Array.from({ length: 180 }, (_, i) => ({ endpointId: a.id, ts: T0 + i * 1000, values: { gen_tps: i } })));
    saveFrames(db, [{ endpointId: b.id, ts: T0, values: { cpu: 1, mem: 2 } }]);
    rollupAndPrune(db, T0 + 10 * 60_000, DEFAULT_RETENTION, 10_000);
    const { id: catalogueId } = saveCatalogue(db, { build: 'b1', helpText: '', catalogue: { build: 'b1', source: 'help', args: [] } });
    createModel(db, { name: 'good', family: '', type: '', status: 'draft', notes: '', args: {}, extraArgs: [], catalogueId, endpointId: a.id, routerModel: null });
    setMeta(db, 'ui.theme', 'dark');
    const rollups = count(db, 'frames_1m');
    expect(rollups).toBeGreaterThan(0);

    const layoutA = Number(db.selectValue('SELECT id FROM layouts WHERE endpoint_id = ?', [a.id]));
    const layoutB = Number(db.selectValue('SELECT id FROM layouts WHERE endpoint_id = ?', [b.id]));
    const inf = new Uint8Array(new Float64Array([Infinity]).buffer);
    db.exec({ sql: 'INSERT INTO frames(endpoint_id, ts, layout_id, vals) VALUES (?, ?, ?, ?), (?, ?, ?, ?), (?, ?, ?, ?)', bind: [
      a.id, T0 + 999_000, layoutA, inf, // +Infinity is no sample
      a.id, T0 + 998_000, layoutB, new Uint8Array(16), // another endpoint's layout
      a.id, T0 + 997_500, layoutA, new Uint8Array(8),
    ] });
    db.exec({ sql: "UPDATE frames SET ts = 1.5 WHERE ts = ?", bind: [T0 + 997_500] });
    db.exec({ sql: 'UPDATE frames_1m SET n = 0 WHERE rowid = (SELECT min(rowid) FROM frames_1m)' });
    db.exec({ sql: "INSERT INTO events(endpoint_id, ts, kind) VALUES (999, ?, 'up')", bind: [T0] });
    db.exec(`INSERT INTO catalogues(build, help_text, catalogue, created_at) VALUES ('bad', '', '{"args": 3}', 1);
      INSERT INTO models(name, status, args, extra_args, created_at, updated_at) VALUES
        ('list args', 'draft', '{}', '[1, 2]', 1, 1), ('odd status', 'hacked', '{}', '[]', 1, 1), ('lost catalogue', 'draft', '{}', '[]', 1, 1);
      UPDATE models SET catalogue_id = 777 WHERE name = 'lost catalogue';
      INSERT INTO metadata(key, value) VALUES ('ui.broken', '{nope');
      INSERT INTO endpoints(kind, name, url, interval_ms, enabled, created_at) VALUES ('llama', 'creds', 'http://u:p@10.0.0.1:8080', 1000, 1, 1);`);

    const r = validateRows(db);
    expect(r.metricSkips).toEqual({ frames: 3, frames_1m: 1, events: 1 });
    expect(r.skipped).toEqual([
      'catalogue 2 (bad): its parameter list is not valid JSON of the expected shape',
      'endpoint 3 "creds": "http://u:p@10.0.0.1:8080" contains a user name or password: put the API key in its own field',
      'model configuration 2 "list args": its extra arguments are not a JSON list of strings',
      'model configuration 3 "odd status": its status "hacked" is unknown',
      'model configuration 4 "lost catalogue": its catalogue is not in the file, so it now uses the built-in one',
      'setting "ui.broken": its value is not valid JSON',
    ]);
    expect(count(db, 'frames')).toBe(181);
    expect(count(db, 'frames_1m')).toBe(rollups - 1);
    expect(db.selectValues('SELECT name FROM models ORDER BY id')).toEqual(['good', 'lost catalogue']);
    expect(db.selectValue("SELECT catalogue_id FROM models WHERE name = 'lost catalogue'")).toBeNull();
    expect(db.selectValues('SELECT name FROM endpoints ORDER BY id')).toEqual(['a', 'b']);
  });
});
