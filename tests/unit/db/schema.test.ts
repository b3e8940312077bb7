import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { APP_ID, migrate, SCHEMA_VERSION, V1_DDL } from '../../../src/db/schema';
import { addEndpoint, listEndpoints, updateEndpoint } from '../../../src/db/endpoints';
import { latestValues, queryHistory, seriesKeys } from '../../../src/db/metrics';
import { getModelByName, listModels } from '../../../src/db/models';
import { allMeta } from '../../../src/db/metadata';
import { freshDb, openImage, sqlite } from './helpers';
import type { DB } from '../../../src/db/sql';

const V1_FILE = new URL('../../fixtures/db/v1.sqlite3', import.meta.url);
const V2_FILE = new URL('../../fixtures/db/v2.sqlite3', import.meta.url);

describe('migrate', () => {
  test('builds an empty database up to the current version and marks it as ours', async () => {
    const s = await sqlite();
    const db = new s.oo1.DB(':memory:');
    expect(migrate(db)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(db.selectValue('PRAGMA user_version')).toBe(SCHEMA_VERSION);
    expect(db.selectValue('PRAGMA application_id')).toBe(APP_ID);
    expect(migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
  });

  test('refuses a database made by a newer version, changing nothing', async () => {
    const db = await freshDb();
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 3}`);
    expect(() => migrate(db)).toThrow(`newer Llama Dashboard (schema ${SCHEMA_VERSION + 3}, this one knows ${SCHEMA_VERSION}): update the app`);
    expect(db.selectValue('PRAGMA user_version')).toBe(SCHEMA_VERSION + 3);
  });

  test("refuses another application's database", async () => {
    const s = await sqlite();
    const db = new s.oo1.DB(':memory:');
    db.exec('CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)');
    expect(() => migrate(db)).toThrow('another application (tables: invoices)');
    expect(db.selectValue('PRAGMA user_version')).toBe(0);
  });

  test('a failing migration leaves the database at its previous version', async () => {
    const s = await sqlite();
    const db = new s.oo1.DB(':memory:');
    db.exec(V1_DDL);
    db.exec('PRAGMA user_version = 1');
    // A table the v2 migration needs to create already exists: the migration must fail as a whole.
    db.exec('CREATE TABLE layouts(x)');
    expect(() => migrate(db)).toThrow();
    expect(db.selectValue('PRAGMA user_version')).toBe(1);
    expect(db.selectValue("SELECT count(*) FROM sqlite_schema WHERE name = 'metrics_history'")).toBe(1);
    expect(db.selectValue("SELECT count(*) FROM sqlite_schema WHERE name = 'frames'")).toBe(0);
  });
});

describe('migration from a v1 file', () => {
  test('keeps endpoints, samples, model configurations and settings', async () => {
    const db = await openImage(new Uint8Array(readFileSync(V1_FILE)));
    expect(db.selectValue('PRAGMA user_version')).toBe(1);
    expect(migrate(db)).toEqual({ from: 1, to: SCHEMA_VERSION });
    expect(db.selectValue('PRAGMA application_id')).toBe(APP_ID);
    expect(db.selectValue("SELECT count(*) FROM sqlite_schema WHERE name IN ('metrics_history','model_configs','v1_endpoints')")).toBe(0);

    const eps = listEndpoints(db);
    expect(eps.map((e) => [e.id, e.kind, e.name, e.url, e.apiKey, e.intervalMs, e.enabled])).toEqual([
      [1, 'llama', 'Workstation', 'http://192.168.1.20:8080', 'sk-test', 1000, true],
      [2, 'exporter', 'GPU box', 'http://192.168.1.20:9101', null, 2000, false],
    ]);

    const T0 = 1_760_000_000_000;
    const h = queryHistory(db, { endpointId: 1, keys: ['gen_tps', 'prompt_tps', 'llamacpp:prompt_tokens_total'], from: T0, to: T0 + 119_000, points: 500 });
    expect(h.tier).toBe('raw');
    expect(h.ts).toHaveLength(120);
    expect(h.ts[0]).toBe(T0 / 1000);
    expect(h.values.gen_tps.slice(0, 6)).toEqual([40, 41, 42, 43, 44, 40]);
    expect(h.values.prompt_tps[0]).toBeNull();
    expect(h.values.prompt_tps[1]).toBe(801);
    expect(h.values['llamacpp:prompt_tokens_total'][119]).toBe(1000 + 119 * 50);
    const gpu = latestValues(db, 2)!;
    expect(gpu.ts).toBe(T0 + 119_000);
    expect(gpu.values['gpu_util{gpu="0"}']).toBe(90 - (119 % 30));
    expect(gpu.values.gen_tps).toBeNull();
    expect(seriesKeys(db, 2)).toContain('mem_used');

    expect(listModels(db)).toHaveLength(3);
    const qwen = getModelByName(db, 'Qwen3 8B chat')!;
    expect(qwen).toMatchObject({ family: 'qwen3', type: 'chat', status: 'running', notes: 'daily driver', extraArgs: [] });
    expect(qwen.args).toEqual({ '--model': '/models/qwen3-8b-q4_k_m.gguf', '--ctx-size': 32768, '--n-gpu-layers': 99, '--threads': 8, '--batch-size': 2048, '--temp': 0.7, '--flash-attn': 'on' });
    expect(getModelByName(db, 'Nomic embed')!.args).toEqual({ '--model': '/models/nomic-embed.gguf', '--ctx-size': 8192, '--flash-attn': 'off' });
    expect(getModelByName(db, 'Old draft')).toMatchObject({ status: 'draft', family: '', type: '', args: {} });

    expect(allMeta(db)).toEqual({ theme: 'dark', 'dashboard.range': '10m' });
  });
});

describe('migration from a v2 file (v3: endpoints added by a link)', () => {
  test('keeps every row, marks no existing endpoint as added by a link, and stores the mark from then on', async () => {
    const db = await openImage(new Uint8Array(readFileSync(V2_FILE)));
    expect(db.selectValue('PRAGMA user_version')).toBe(2);
    const counts = () => Object.fromEntries(['endpoints', 'layouts', 'frames', 'events', 'models', 'metadata']
      .map((t) => [t, db.selectValue(`SELECT count(*) FROM ${t}`)]));
    const before = counts();
    expect(before.frames).toBeGreaterThan(0);
    expect(migrate(db, 3)).toEqual({ from: 2, to: 3 });
    expect(counts()).toEqual(before);

    const eps = listEndpoints(db);
    expect(eps.map((e) => [e.id, e.kind, e.name, e.url, e.apiKey, e.intervalMs, e.enabled, e.fromLink])).toEqual([
      [1, 'llama', 'Workstation', 'http://192.168.1.20:8080', 'sk-test', 1000, true, false],
      [2, 'exporter', 'GPU box', 'http://192.168.1.20:9101', null, 2000, false, false],
      [3, 'llama', 'Router box', 'http://10.0.0.5:8080', 'sk-router', 2000, true, false],
    ]);
    const h = queryHistory(db, { endpointId: 3, keys: ['gen_tps'], from: 1_760_000_200_000, to: 1_760_000_320_000, points: 500 });
    expect(h.ts).toHaveLength(60);
    expect(getModelByName(db, 'Gemma 3 27B')!.args['--api-key']).toBe('sk-secret');

    const linked = addEndpoint(db, { kind: 'llama', name: '', url: 'http://10.0.0.9:8080', apiKey: null, intervalMs: 1000, enabled: true, fromLink: true });
    expect(linked.fromLink).toBe(true);
    expect(updateEndpoint(db, linked.id, { name: 'renamed' }).fromLink).toBe(true);
    expect(updateEndpoint(db, linked.id, { fromLink: false }).fromLink).toBe(false);
  });
});
