import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import { createApi } from '../../../src/worker/api';
import { APP_ID, SCHEMA_VERSION } from '../../../src/db/schema';
import type { DbEvent, ModelConfigInput } from '../../../src/lib/types';

const model: ModelConfigInput = {
  name: 'precious', family: 'llama', type: 'chat', status: 'draft', notes: '', args: {}, extraArgs: [],
  catalogueId: null, endpointId: null, routerModel: null,
};

async function withData() {
  const api = createApi({ storage: 'memory', retentionEveryMs: 0 });
  await api.init();
  api.createModel(model);
  api.setMeta('ui.theme', 'dark');
  return api;
}

/** A SQLite file built by hand: `sql` runs on an empty in-memory database, then it is exported. */
async function sqliteFile(sql: string): Promise<Uint8Array> {
  const sqlite3 = await sqlite3InitModule();
  const db = new sqlite3.oo1.DB(':memory:', 'c');
  db.exec(sql);
  const bytes = sqlite3.capi.sqlite3_js_db_export(db);
  db.close();
  return bytes;
}

/** The b-tree root page of `table` in a SQLite image. */
async function rootPage(image: Uint8Array, table: string): Promise<number> {
  const sqlite3 = await sqlite3InitModule();
  const db = new sqlite3.oo1.DB(':memory:', 'c');
  const p = sqlite3.wasm.allocFromTypedArray(image);
  db.checkRc(sqlite3.capi.sqlite3_deserialize(db.pointer!, 'main', p, image.byteLength, image.byteLength, sqlite3.capi.SQLITE_DESERIALIZE_FREEONCLOSE));
  const page = Number(db.selectValue('SELECT rootpage FROM sqlite_schema WHERE name = ?', [table]));
  db.close();
  return page;
}

function intact(api: Awaited<ReturnType<typeof withData>>) {
  expect(api.listModels().map((m) => m.name)).toEqual(['precious']);
  expect(api.getMeta('ui.theme')).toBe('dark');
}

describe('importDatabase through the worker API', () => {
  it('upgrades a file written by schema version 1 and replaces the data with it', async () => {
    const api = await withData();
    const events: DbEvent[] = [];
    api.subscribe((e) => events.push(e));
    const r = api.importDatabase(new Uint8Array(readFileSync('tests/fixtures/db/v1.sqlite3')));
    expect(r).toMatchObject({ ok: true, migratedFrom: 1 });
    expect(api.dbInfo().schemaVersion).toBe(SCHEMA_VERSION);
    expect(api.listModels().map((m) => m.name)).toContain('Qwen3 8B chat');
    expect(api.getModelByName('precious')).toBeNull();
    expect(api.listEndpoints().map((e) => e.name)).toEqual(['Workstation', 'GPU box']);
    await new Promise((r) => setTimeout(r, 0));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['endpoints', 'models', 'history-reset']));
  });

  it('refuses a file from a newer version, saying so, and keeps the current data', async () => {
    const api = await withData();
    const newer = await sqliteFile(`CREATE TABLE metadata(key TEXT PRIMARY KEY, value TEXT);
      PRAGMA application_id = ${APP_ID}; PRAGMA user_version = ${SCHEMA_VERSION + 1};`);
    const r = api.importDatabase(newer);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/newer Llama Dashboard/);
    intact(api);
  });

  it("refuses another application's SQLite file, naming it as such, and keeps the current data", async () => {
    const api = await withData();
    const foreign = await sqliteFile(`CREATE TABLE photos(id INTEGER PRIMARY KEY, path TEXT);
      INSERT INTO photos(path) VALUES ('/a.jpg'); PRAGMA user_version = 3;`);
    const r = api.importDatabase(foreign);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/another application/);
    expect(r.message).toMatch(/photos/);
    intact(api);
  });

  it("refuses a damaged file (the models table's page overwritten) and keeps the current data", async () => {
    const api = await withData();
    const image = api.exportDatabase().slice();
    const pageSize = (image[16] << 8) | image[17];
    const page = await rootPage(image, 'models');
    image.fill(0xa5, pageSize * (page - 1), pageSize * page);
    const r = api.importDatabase(image);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/damaged/);
    intact(api);
  });
});
