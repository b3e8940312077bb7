/**
 * The read-only SQL console. The database has exactly one connection (exclusive locking on sahpool),
 * so read-only is enforced on that connection, by SQLite itself: a statement that would write is
 * refused by sqlite3_stmt_readonly, and an authorizer, set only while the user's statement is
 * prepared, refuses what that check lets through (ATTACH, PRAGMA with a value, BEGIN/COMMIT and
 * savepoints). A progress handler stops a runaway query at a deadline: a Cancel message could not
 * reach a worker that is busy inside sqlite3_step.
 */
import type { DB, Sqlite3 } from './sql';
import { errorText } from '../lib/error-text';

import { DEFAULT_DEADLINE_MS, MAX_ROWS, type ConsoleCell, type ConsoleQuery, type ConsoleResult } from '../lib/types';

export { DEFAULT_DEADLINE_MS, MAX_ROWS, type ConsoleCell, type ConsoleQuery, type ConsoleResult } from '../lib/types';
const MAX_SQL = 100_000;

/** SQLite action codes (sqlite.org/c3ref/c_alter_table.html) that a read-only console never allows. */
function refusal(capi: Sqlite3['capi'], code: number, arg2: unknown): string | null {
  if (code === capi.SQLITE_ATTACH || code === capi.SQLITE_DETACH) return 'ATTACH and DETACH are not allowed';
  if (code === capi.SQLITE_TRANSACTION || code === capi.SQLITE_SAVEPOINT) return 'transactions are not allowed';
  if (code === capi.SQLITE_PRAGMA && arg2) return 'a PRAGMA that sets a value is not allowed';
  return null;
}

/** Runs one read-only statement; throws an Error whose message says why a statement is refused. */
export function runConsoleQuery(sqlite3: Sqlite3, db: DB, q: ConsoleQuery): ConsoleResult {
  const { capi } = sqlite3;
  const sql = q.sql.trim();
  if (!sql) throw new Error('Type a query first, e.g. SELECT * FROM endpoints');
  if (sql.length > MAX_SQL) throw new Error(`The query is longer than ${MAX_SQL} characters.`);
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = Math.min(MAX_ROWS, Math.max(1, Math.floor(q.limit ?? 100)));
  const deadlineMs = Math.max(100, q.deadlineMs ?? DEFAULT_DEADLINE_MS);

  let refused: string | null = null;
  const t0 = performance.now();
  capi.sqlite3_set_authorizer(db, (_ud: number, code: number, _a1: unknown, a2: unknown) => {
    const why = refusal(capi, code, a2);
    if (why) refused ??= why;
    return why ? capi.SQLITE_DENY : capi.SQLITE_OK;
  }, 0);
  let stmt: ReturnType<DB['prepare']> | null = null;
  try {
    try {
      stmt = db.prepare(sql);
    } catch (e) {
      throw new Error(refused ? `Refused: ${refused} in the SQL console (it only reads).` : `SQLite says: ${errorText(e)}`);
    }
  } finally {
    // WORKAROUND: the 3.54 typings allow only a function here; a null pointer removes the authorizer (C API).
    (capi.sqlite3_set_authorizer as unknown as (d: DB, x: 0, ud: 0) => number)(db, 0, 0);
  }
  try {
    // WORKAROUND: oo1's Stmt.isReadOnly (sqlite3_stmt_readonly) is missing from the 3.54 typings.
    if (!(stmt as unknown as { isReadOnly(): boolean }).isReadOnly()) throw new Error('Refused: the SQL console only reads. This statement would change the database.');
    if (hasMoreStatements(sqlite3, db, sql)) throw new Error('Run one statement at a time: the text holds more than one.');
    const columns = stmt.getColumnNames();
    const rows: ConsoleCell[][] = [];
    let more = false;
    let timedOut = false;
    capi.sqlite3_progress_handler(db, 1000, () => {
      timedOut = performance.now() - t0 > deadlineMs;
      return timedOut ? 1 : 0;
    }, 0);
    try {
      let seen = 0;
      while (stmt.step()) {
        if (seen++ < offset) continue;
        if (rows.length === limit) {
          more = true;
          break;
        }
        rows.push(columns.map((_, i) => cell(stmt!.get(i))));
      }
    } catch (e) {
      if (timedOut) {
        throw new Error(`The query was stopped after ${(deadlineMs / 1000).toFixed(1)} s (the console's time limit). Narrow it, or raise the limit.`);
      }
      throw new Error(`SQLite says: ${errorText(e)}`);
    } finally {
      capi.sqlite3_progress_handler(db, 0, 0, 0);
    }
    return { columns, rows, more, ms: performance.now() - t0 };
  } finally {
    stmt.finalize();
  }
}

/** True when `sql` holds a second statement after the first (the console runs exactly one). */
function hasMoreStatements(sqlite3: Sqlite3, db: DB, sql: string): boolean {
  const { capi, wasm } = sqlite3;
  const stack = wasm.pstack.pointer;
  try {
    const text = wasm.allocCString(sql, false);
    const ppStmt = wasm.pstack.allocPtr();
    const pzTail = wasm.pstack.allocPtr();
    try {
      capi.sqlite3_prepare_v3(db.pointer!, text, -1, 0, ppStmt, pzTail);
      const first = wasm.peekPtr(ppStmt);
      if (first) capi.sqlite3_finalize(first);
      const tail = wasm.cstrToJs(wasm.peekPtr(pzTail) as number) ?? '';
      return tail.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').replace(/[\s;]/g, '').length > 0;
    } finally {
      wasm.dealloc(text);
    }
  } finally {
    wasm.pstack.restore(stack);
  }
}

function cell(v: unknown): ConsoleCell {
  if (v == null) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return `<blob, ${v.byteLength} bytes>`;
  return String(v);
}
