import { describe, expect, test } from 'vitest';
import { migrate } from '../../../src/db/schema';
import { createModel, deleteModel, getModelByName } from '../../../src/db/models';
import { deleteModelFile, getModelFile, saveModelFile } from '../../../src/db/model-files';
import type { GgufSummary } from '../../../src/lib/gguf-model';
import { fileAtVersion, freshDb, keptRows } from './helpers';


const SUMMARY: GgufSummary = {
  files: [{ name: 'gemma-3-27b-Q4_K_M.gguf', size: 16_546_688_000, lastModified: 1_760_000_000_000 }],
  metadata: { 'general.architecture': 'gemma3', 'gemma3.block_count': 62, 'gemma3.attention.head_count_kv': 16 },
  tensors: [{ name: 'blk.0.attn_q.weight', shape: [5376, 4096], typeId: 12, bytes: 12_386_304 }],
};

describe('model_files migration', () => {
  test('upgrades a database of the previous version, keeping its rows, and stores a summary per configuration', async () => {
    // The file as version 3 left it: the real v2 fixture brought to 3 by the shipped migrations.
    const db = await fileAtVersion(3);
    const before = keptRows(db);
    expect(before.models.length).toBeGreaterThan(0);
    expect(db.selectValue("SELECT count(*) FROM sqlite_schema WHERE name = 'model_files'")).toBe(0);

    expect(migrate(db, 4)).toEqual({ from: 3, to: 4 });
    expect(keptRows(db)).toEqual(before);

    const m = getModelByName(db, before.models[0].name)!;
    expect(getModelFile(db, m.id)).toBeNull();
    saveModelFile(db, m.id, SUMMARY);
    expect(getModelFile(db, m.id)).toMatchObject({ modelId: m.id, summary: SUMMARY });
  });
});

describe('model files', () => {
  test('a summary is replaced by the next one and goes with its configuration', async () => {
    const db = await freshDb();
    const m = createModel(db, { name: 'g', family: '', type: '', status: 'stopped', notes: '', args: {}, extraArgs: [], catalogueId: null, endpointId: null, routerModel: null });
    saveModelFile(db, m.id, SUMMARY);
    const next = { ...SUMMARY, files: [{ ...SUMMARY.files[0], size: 1 }] };
    saveModelFile(db, m.id, next);
    expect(getModelFile(db, m.id)?.summary.files[0].size).toBe(1);
    deleteModel(db, m.id);
    expect(db.selectValue('SELECT count(*) FROM model_files')).toBe(0);
    deleteModelFile(db, m.id);
  });

  test('refuses a summary for a configuration that does not exist', async () => {
    const db = await freshDb();
    expect(() => saveModelFile(db, 42, SUMMARY)).toThrow('Model configuration 42 does not exist');
  });
});
