/** Small helpers shared by the plain storage functions (src/db/*.ts) over one oo1 database. */
import type { Database, Sqlite3Static } from '@sqlite.org/sqlite-wasm';
import { errorText } from '../lib/error-text';

export type DB = Database;
export type Sqlite3 = Sqlite3Static;

/**
 * Runs `fn` atomically: everything or nothing. A SAVEPOINT rather than BEGIN so that callers (the
 * worker API, migrations) may nest these without knowing whether a transaction is already open.
 */
export function inTx<T>(db: DB, fn: () => T): T {
  db.exec('SAVEPOINT tx');
  try {
    const result = fn();
    db.exec('RELEASE tx');
    return result;
  } catch (e) {
    rollbackTo(db);
    throw e;
  }
}

/**
 * SQLITE_FULL, SQLITE_IOERR and SQLITE_NOMEM may roll the whole transaction back by themselves
 * (sqlite.org/lang_transaction.html, "Response To Errors Within A Transaction"): then no savepoint
 * is left, nothing is half-done, and the first error is the one to report. oo1's own savepoint()
 * reported "no such savepoint" instead, hiding a full disk from the user.
 */
function rollbackTo(db: DB): void {
  try {
    db.exec('ROLLBACK TO tx; RELEASE tx');
  } catch (e) {
    if (!/no such savepoint/.test(errorText(e))) throw e;
  }
}

/** Rows as plain objects (column name → value). */
export function rows<T>(db: DB, sql: string, bind?: (string | number | null | Uint8Array)[]): T[] {
  return db.selectObjects(sql, bind) as T[];
}
