/** Small helpers shared by the plain storage functions (src/db/*.ts) over one oo1 database. */
import type { Database, Sqlite3Static } from '@sqlite.org/sqlite-wasm';

export type DB = Database;
export type Sqlite3 = Sqlite3Static;

/**
 * Runs `fn` atomically: everything or nothing. A SAVEPOINT rather than BEGIN so that callers (the
 * worker API, migrations) may nest these without knowing whether a transaction is already open.
 */
export function inTx<T>(db: DB, fn: () => T): T {
  return db.savepoint(() => fn());
}

/** Rows as plain objects (column name → value). */
export function rows<T>(db: DB, sql: string, bind?: (string | number | null | Uint8Array)[]): T[] {
  return db.selectObjects(sql, bind) as T[];
}

/** The message of anything thrown, for user-facing text. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
