import { beforeEach, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkImage, dbInfo, exportImage, vacuum } from '../../../src/db/backup';
import { addEndpoint, listEndpoints } from '../../../src/db/endpoints';
import { clearMetrics, latestValues, saveFrames } from '../../../src/db/metrics';
import { createModel, getModelByName, listModels } from '../../../src/db/models';
import { getMeta, setMeta } from '../../../src/db/metadata';
import { SCHEMA_VERSION } from '../../../src/db/schema';
import type { DB, Sqlite3 } from '../../../src/db/sql';
import { freshDb, sqlite } from './helpers';

let s: Sqlite3;
let db: DB;

beforeEach(async () => {
  s = await sqlite();
  db = await freshDb();
  const e = addEndpoint(db, { kind: 'llama', name: 'live', url: 'http://h:8080', apiKey: null, intervalMs: 1000, enabled: true });
  for (let i = 0; i < 300; i++) saveFrames(db, [{ endpointId: e.id, ts: 1_000_000 + i * 1000, values: { gen_tps: i, cpu: 1 } }]);
  createModel(db, { name: 'Live model', family: '', type: 'chat', status: 'draft', notes: '', args: { '--ctx-size': 4096 }, extraArgs: [], catalogueId: null, endpointId: null, routerModel: null });
  setMeta(db, 'theme', 'dark');
});

/** Everything a user would notice if an import had touched the live database. */
function liveState(d: DB) {
  return { image: Array.from(s.capi.sqlite3_js_db_export(d)), endpoints: listEndpoints(d), models: listModels(d) };
}

/** An image of a database built by `build` on a fresh :memory: connection. */
function imageOf(build: (d: DB) => void): Uint8Array {
  const d = new s.oo1.DB(':memory:');
  build(d);
  const bytes = s.capi.sqlite3_js_db_export(d);
  d.close();
  return bytes;
}

describe('dbInfo and vacuum', () => {
  test('reports size per table from dbstat (indexes counted with their table) and journal mode', () => {
    // dbInfo relies on the dbstat virtual table: a sqlite-wasm build without it must fail here first.
    expect(db.selectValue("SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_DBSTAT_VTAB'")).toBe(1);
    const info = dbInfo(db, 'memory');
    expect(info).toMatchObject({ storage: 'memory', schemaVersion: SCHEMA_VERSION, journalMode: 'memory' });
    expect(info.sqliteVersion).toMatch(/^3\.\d+\.\d+$/);
    const frames = info.tables.find((t) => t.name === 'frames')!;
    expect(frames.rows).toBe(300);
    expect(frames.bytes).toBeGreaterThan(300 * 16);
    expect(info.tables.find((t) => t.name === 'models')!.rows).toBe(1);
    expect(info.tables.reduce((a, t) => a + t.bytes, 0)).toBeLessThanOrEqual(info.totalBytes);
    expect(info.tables.map((t) => t.name)).not.toContain('frames_endpoint_ts');
  });

  test('vacuum gives back the space of deleted samples', () => {
    clearMetrics(db);
    const { before, after } = vacuum(db);
    expect(after).toBeLessThan(before);
    expect(dbInfo(db, 'memory').totalBytes).toBe(after);
  });
});

describe('export and checkImage', () => {
  test('an exported file is accepted and holds the same data', () => {
    const bytes = exportImage(s, db);
    const r = checkImage(s, bytes);
    expect(r).toMatchObject({ ok: true, version: SCHEMA_VERSION, message: 'The file is a valid Llama Dashboard database' });
    if (!r.ok) return;
    const copy = new s.oo1.DB(':memory:');
    const p = s.wasm.allocFromTypedArray(r.image);
    copy.checkRc(s.capi.sqlite3_deserialize(copy.pointer!, 'main', p, r.image.length, r.image.length, s.capi.SQLITE_DESERIALIZE_FREEONCLOSE));
    expect(latestValues(copy, 1)).toEqual(latestValues(db, 1));
    expect(getModelByName(copy, 'Live model')!.args).toEqual({ '--ctx-size': 4096 });
    expect(getMeta(copy, 'theme')).toBe('dark');
  });

  test('a WAL-mode image is accepted and comes back as a plain file', () => {
    const bytes = exportImage(s, db);
    bytes[18] = 2;
    bytes[19] = 2;
    const r = checkImage(s, bytes);
    expect(r.ok).toBe(true);
    if (r.ok) expect([r.image[18], r.image[19]]).toEqual([1, 1]);
  });

  const refusals: [string, () => Uint8Array, string][] = [
    ['a truncated file', () => exportImage(s, db).slice(0, 4096 * 3), 'This file is truncated or damaged'],
    ['a file that is not SQLite', () => new TextEncoder().encode('id,name\n1,qwen\n'.repeat(100)), 'This file is not a SQLite database'],
    ['an empty file', () => new Uint8Array(0), 'This file is not a SQLite database'],
    ["another application's SQLite file", () => imageOf((d) => d.exec('CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url TEXT); CREATE TABLE moz_bookmarks(id)')),
      'belongs to another application (tables: moz_bookmarks, moz_places)'],
    ['a file with a foreign application id', () => imageOf((d) => d.exec('PRAGMA application_id = 1234; CREATE TABLE t(x)')), 'belongs to another application (application id 1234'],
    ['a file from a newer version', () => {
      const bytes = exportImage(s, db);
      const d = new s.oo1.DB(':memory:');
      const p = s.wasm.allocFromTypedArray(bytes);
      d.checkRc(s.capi.sqlite3_deserialize(d.pointer!, 'main', p, bytes.length, bytes.length, s.capi.SQLITE_DESERIALIZE_FREEONCLOSE | s.capi.SQLITE_DESERIALIZE_RESIZEABLE));
      d.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 3}`);
      const out = s.capi.sqlite3_js_db_export(d);
      d.close();
      return out;
    }, `was made by a newer Llama Dashboard (schema ${SCHEMA_VERSION + 3}, this one knows ${SCHEMA_VERSION}): update the app`],
    ['an empty SQLite file', () => imageOf(() => {}), 'This SQLite file is empty'],
  ];

  test.each(refusals)('refuses %s and leaves the live database as it was', (_name, make, message) => {
    const before = liveState(db);
    const r = checkImage(s, make());
    expect(r.ok).toBe(false);
    expect(r.message).toContain(message);
    expect(liveState(db)).toEqual(before);
  });

  test('refuses a file whose pages are damaged, quoting the integrity check', () => {
    const bytes = exportImage(s, db);
    const pageSize = (bytes[16] << 8) | bytes[17];
    const page = Number(db.selectValue("SELECT pageno FROM dbstat WHERE name = 'frames' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1"));
    // Scribble over one leaf page of the samples table, keeping the file's header and length intact.
    for (let i = (page - 1) * pageSize + 8; i < page * pageSize; i++) bytes[i] = (i * 7) & 0xff;
    const r = checkImage(s, bytes);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^This file is truncated or damaged: integrity check says \S/);
  });

  test('migrates an older v1 file in a copy and returns the migrated image', () => {
    const v1 = new Uint8Array(readFileSync(new URL('../../fixtures/db/v1.sqlite3', import.meta.url)));
    const before = liveState(db);
    const r = checkImage(s, v1);
    expect(r).toMatchObject({ ok: true, version: 1, message: `The file came from an older Llama Dashboard (schema 1) and was upgraded to schema ${SCHEMA_VERSION}` });
    expect(liveState(db)).toEqual(before);
    if (!r.ok) return;
    const again = checkImage(s, r.image);
    expect(again).toMatchObject({ ok: true, version: SCHEMA_VERSION });
  });
});
