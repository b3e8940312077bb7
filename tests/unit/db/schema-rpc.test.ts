import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { migrate } from '../../../src/db/schema';
import { listEndpoints } from '../../../src/db/endpoints';
import { listModels } from '../../../src/db/models';
import { appliedWrite, pruneWrites, recordWrite } from '../../../src/db/rpc-writes';
import { sqlite } from './helpers';
import type { DB } from '../../../src/db/sql';

const V2_FILE = new URL('../../fixtures/db/v2.sqlite3', import.meta.url);

async function previousVersionFile(): Promise<DB> {
  const s = await sqlite();
  const db = new s.oo1.DB(':memory:');
  const bytes = new Uint8Array(readFileSync(V2_FILE));
  const p = s.wasm.allocFromTypedArray(bytes);
  db.checkRc(s.capi.sqlite3_deserialize(db.pointer!, 'main', p, bytes.length, bytes.length,
    s.capi.SQLITE_DESERIALIZE_FREEONCLOSE | s.capi.SQLITE_DESERIALIZE_RESIZEABLE));
  // The file as version 4 (the one before this migration) left it.
  migrate(db, 4);
  return db;
}

describe('migration adding applied write ids (rpc_writes)', () => {
  test('upgrades a file of the previous version, keeping its data', async () => {
    const db = await previousVersionFile();
    const endpointsBefore = listEndpoints(db);
    const modelsBefore = listModels(db);
    expect(db.selectValue("SELECT count(*) FROM sqlite_schema WHERE name = 'rpc_writes'")).toBe(0);
    expect(migrate(db, 5)).toEqual({ from: 4, to: 5 });
    expect(db.selectValue("SELECT count(*) FROM sqlite_schema WHERE name = 'rpc_writes'")).toBe(1);
    expect(listEndpoints(db)).toEqual(endpointsBefore);
    expect(listModels(db)).toEqual(modelsBefore);
    expect(endpointsBefore.length).toBeGreaterThan(0);
  });

  test('a recorded write id answers with its result; nothing recorded answers null; old ids are pruned', async () => {
    const db = await previousVersionFile();
    migrate(db);
    expect(appliedWrite(db, 'tab-a:1')).toBeNull();
    recordWrite(db, 'tab-a:1', 1000, { id: 7, name: 'box' });
    recordWrite(db, 'tab-a:2', 5000, undefined);
    expect(appliedWrite(db, 'tab-a:1')).toEqual({ result: { id: 7, name: 'box' } });
    expect(appliedWrite(db, 'tab-a:2')).toEqual({ result: undefined });
    expect(() => recordWrite(db, 'tab-a:1', 2000, null)).toThrow(/UNIQUE/);
    expect(pruneWrites(db, 2000)).toBe(1);
    expect(appliedWrite(db, 'tab-a:1')).toBeNull();
    expect(appliedWrite(db, 'tab-a:2')).not.toBeNull();
  });
});
