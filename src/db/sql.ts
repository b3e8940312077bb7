/** Small helpers shared by the plain storage functions (src/db/*.ts) over one oo1 database. */
import type { Database, Sqlite3Static } from '@sqlite.org/sqlite-wasm';
import { errorText } from '../lib/error-text';

export type DB = Database;
export type Sqlite3 = Sqlite3Static;
/** A prepared statement of a DB. */
export type Stmt = ReturnType<DB['prepare']>;

/** Statements kept prepared per connection: oo1 finalizes them when the connection closes. */
const statements = new WeakMap<DB, Map<string, Stmt>>();

/**
 * The connection's prepared statement for `sql`, prepared on first use and then kept: preparing costs
 * more than running a one-row statement in sqlite-wasm (~10-20 µs each, measured), paid on every tick
 * otherwise. Used only through run() and eachRow(), which always leave it reset.
 */
function prepared(db: DB, sql: string): Stmt {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare(sql)));
  return s;
}

/** Runs a kept statement with these values to its first row; true when it gave one. Leaves it reset. */
export function run(db: DB, sql: string, bind?: (string | number | null | Uint8Array)[]): boolean {
  return stepping(prepared(db, sql), bind, (s) => s.step());
}

/** Calls `row` with the kept statement on each row it gives for these values. Leaves it reset. */
export function eachRow(db: DB, sql: string, bind: (string | number | null | Uint8Array)[], row: (s: Stmt) => void): void {
  stepping(prepared(db, sql), bind, (s) => { while (s.step()) row(s); });
}

function stepping<T>(s: Stmt, bind: (string | number | null | Uint8Array)[] | undefined, fn: (s: Stmt) => T): T {
  let out: T;
  try {
    if (bind) s.bind(bind);
    out = fn(s);
  } catch (e) {
    // reset() after a failed step reports the same error again: the step's is the one to throw.
    try { s.reset(); } catch { /* the same error as e */ }
    throw e;
  }
  s.reset();
  return out;
}

/**
 * Runs `fn` atomically: everything or nothing. A SAVEPOINT rather than BEGIN so that callers (the
 * worker API, migrations) may nest these without knowing whether a transaction is already open.
 */
export function inTx<T>(db: DB, fn: () => T): T {
  run(db, 'SAVEPOINT tx');
  try {
    const result = fn();
    run(db, 'RELEASE tx');
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
