import { beforeEach, describe, expect, test } from 'vitest';
import {
  createModel, deleteAllModels, deleteCatalogue, deleteModel, getCatalogue, getModel, getModelByName, listCatalogues,
  listModels, saveCatalogue, updateModel,
} from '../../../src/db/models';
import type { ModelConfigInput } from '../../../src/lib/types';
import type { DB } from '../../../src/db/sql';
import { freshDb } from './helpers';

let db: DB;
beforeEach(async () => { db = await freshDb(); });

const input = (name: string, extra: Partial<ModelConfigInput> = {}): ModelConfigInput => ({
  name, family: 'qwen3', type: 'chat', status: 'draft', notes: '', args: {}, extraArgs: [],
  catalogueId: null, endpointId: null, routerModel: null, ...extra,
});

describe('model configurations', () => {
  test('any flag is stored and read back exactly, including ones not known today', () => {
    const args = { '--model': '/m/q.gguf', '--ctx-size': 32768, '--flash-attn': 'on', '--no-mmap': true, '--some-2027-flag': null };
    const m = createModel(db, input('  Qwen3 8B  ', { args, extraArgs: ['--weird', 'a b'] }));
    expect(m.name).toBe('Qwen3 8B');
    expect(getModel(db, m.id)).toEqual(m);
    expect(m.args).toEqual(args);
    expect(m.extraArgs).toEqual(['--weird', 'a b']);
    expect(m.createdAt).toBe(m.updatedAt);
  });

  test('names are unique regardless of case, with a clear error', () => {
    createModel(db, input('Qwen3 8B'));
    expect(() => createModel(db, input('qwen3 8b'))).toThrow('A model configuration named "qwen3 8b" already exists');
    const other = createModel(db, input('Llama 3'));
    expect(() => updateModel(db, other.id, { name: 'QWEN3 8B' })).toThrow('already exists');
    expect(getModelByName(db, 'QWEN3 8b')!.name).toBe('Qwen3 8B');
    expect(getModelByName(db, 'nope')).toBeNull();
    expect(() => createModel(db, input(' '))).toThrow('needs a name');
    expect(() => createModel(db, input('x', { status: 'flying' as never }))).toThrow('Unknown status');
  });

  test('filters by status, type and name substring (case-insensitive, wildcards literal)', () => {
    createModel(db, input('Qwen3 8B chat', { status: 'running' }));
    createModel(db, input('Qwen3 embed', { type: 'embedding', status: 'running' }));
    createModel(db, input('Llama 3.1 70B', { status: 'stopped' }));
    createModel(db, input('100%_special'));
    const names = (f: Parameters<typeof listModels>[1]) => listModels(db, f).map((m) => m.name);
    expect(names({})).toEqual(['100%_special', 'Llama 3.1 70B', 'Qwen3 8B chat', 'Qwen3 embed']);
    expect(names({ status: 'running' })).toEqual(['Qwen3 8B chat', 'Qwen3 embed']);
    expect(names({ type: 'embedding' })).toEqual(['Qwen3 embed']);
    expect(names({ name: 'QWEN' })).toEqual(['Qwen3 8B chat', 'Qwen3 embed']);
    expect(names({ name: 'qwen', type: 'chat', status: 'running' })).toEqual(['Qwen3 8B chat']);
    expect(names({ name: '%_' })).toEqual(['100%_special']);
    expect(names({ name: '_' })).toEqual(['100%_special']);
  });

  test('update changes only what is given; delete and delete all', () => {
    const m = createModel(db, input('a', { args: { '--threads': 8 } }));
    const u = updateModel(db, m.id, { status: 'running', args: { '--threads': 16 } });
    expect(u).toMatchObject({ name: 'a', family: 'qwen3', status: 'running', args: { '--threads': 16 }, createdAt: m.createdAt });
    expect(u.updatedAt).toBeGreaterThanOrEqual(m.updatedAt);
    expect(() => updateModel(db, 999, { name: 'z' })).toThrow('does not exist');
    createModel(db, input('b'));
    deleteModel(db, m.id);
    expect(getModel(db, m.id)).toBeNull();
    expect(deleteAllModels(db)).toBe(1);
    expect(listModels(db)).toEqual([]);
  });

  // Budget 5 ms, measured in the browser by `npm run bench`; here only a gross regression fails.
  test('lists 100 configurations within a few times its 5 ms budget', () => {
    for (let i = 0; i < 100; i++) createModel(db, input(`model ${i}`, { args: Object.fromEntries(Array.from({ length: 25 }, (_, j) => [`--flag-${j}`, j])) }));
    listModels(db);
    const times: number[] = [];
    for (let r = 0; r < 20; r++) {
      const t = performance.now();
      expect(listModels(db)).toHaveLength(100);
      times.push(performance.now() - t);
    }
    expect(times.sort((a, b) => a - b)[10]).toBeLessThan(20);
  });
});

describe('catalogues', () => {
  test('stored with their help text, listed without it, deleted with models falling back', () => {
    const help = '-c, --ctx-size N   ...'.repeat(1000);
    const { id } = saveCatalogue(db, { build: 'b10573', helpText: help, catalogue: { params: [{ flag: '--ctx-size' }] } });
    const second = saveCatalogue(db, { build: 'b10600', helpText: 'x', catalogue: [] });
    expect(listCatalogues(db).map((c) => [c.id, c.build])).toEqual([[second.id, 'b10600'], [id, 'b10573']]);
    expect(listCatalogues(db)[0]).not.toHaveProperty('helpText');
    expect(getCatalogue(db, id)).toMatchObject({ build: 'b10573', helpText: help, catalogue: { params: [{ flag: '--ctx-size' }] } });
    const m = createModel(db, input('m', { catalogueId: id }));
    deleteCatalogue(db, id);
    expect(getCatalogue(db, id)).toBeNull();
    expect(getModel(db, m.id)!.catalogueId).toBeNull();
    expect(() => saveCatalogue(db, { build: ' ', helpText: '', catalogue: {} })).toThrow('needs the build');
  });
});
