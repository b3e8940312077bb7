import type { DB } from './sql';

/**
 * The migration that adds `rpc_writes`: the ids of writes other tabs sent to the database owner, each
 * stored in the same transaction as the write itself. A tab whose call was in flight when the owner
 * closed sends it again to the next owner, which finds the id here and answers with the stored result
 * instead of applying the write twice.
 */
export function addRpcWrites(db: DB): void {
  db.exec(`
CREATE TABLE rpc_writes(id TEXT PRIMARY KEY, at INTEGER NOT NULL, result TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX rpc_writes_at ON rpc_writes(at);
`);
}
