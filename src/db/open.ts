import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import type { Database, SAHPoolUtil, Sqlite3Static } from '@sqlite.org/sqlite-wasm';

/** Path of the one database file inside the sahpool VFS (sahpool paths must be absolute). */
const DB_FILE = '/llama-dashboard.sqlite3';
/** VFS name; its OPFS directory is ".llama-dashboard". Changing it orphans existing data. */
const VFS_NAME = 'llama-dashboard';

/** An open database and where it lives. */
export interface DbHandle {
  sqlite3: Sqlite3Static;
  db: Database;
  storage: 'opfs' | 'memory';
  /** Set for OPFS: the pool, paused on close so another tab can take the files. */
  pool: SAHPoolUtil | null;
}

let sqlite3Promise: Promise<Sqlite3Static> | null = null;

/**
 * User Timing marks of a start (DevTools' timeline shows them; `npm run bench` reads them from the
 * worker to break the cold start down): sqlite3.wasm load begun and done, OPFS database open begun and done.
 */
export const START_MARKS = {
  sqliteLoad: 'llamadash:sqlite-load',
  sqliteReady: 'llamadash:sqlite-ready',
  opfsOpen: 'llamadash:opfs-open',
  opfsOpened: 'llamadash:opfs-opened',
} as const;

/** Loads and initialises sqlite3.wasm once per thread (sqlite-wasm fetches it with streaming compilation). */
export function loadSqlite(): Promise<Sqlite3Static> {
  if (!sqlite3Promise) {
    performance.mark(START_MARKS.sqliteLoad);
    sqlite3Promise = sqlite3InitModule().then((s) => {
      performance.mark(START_MARKS.sqliteReady);
      return s;
    });
  }
  return sqlite3Promise;
}

/** True when this context has the APIs opfs-sahpool needs (a worker in a secure context). */
export function hasOpfs(): boolean {
  const g = globalThis as unknown as Record<string, unknown>;
  const fileHandle = g.FileSystemFileHandle as { prototype?: Record<string, unknown> } | undefined;
  return (
    typeof fileHandle?.prototype?.createSyncAccessHandle === 'function' &&
    typeof navigator !== 'undefined' &&
    typeof navigator.storage?.getDirectory === 'function'
  );
}

/**
 * Exclusive locking must come first: sahpool has no shared memory, so WAL only works when SQLite
 * keeps the WAL index on the heap, which it does in exclusive mode. Commits drop from ~1.4 ms to
 * ~0.07 ms (DESIGN.md). Throws when WAL did not take, rather than run slower without saying so.
 */
export function tuneConnection(db: Database): void {
  db.exec('PRAGMA locking_mode=EXCLUSIVE');
  distrustSchema(db);
  const mode = String(db.selectValue('PRAGMA journal_mode=WAL')).toLowerCase();
  db.exec('PRAGMA synchronous=NORMAL');
  const check = String(db.selectValue('PRAGMA journal_mode')).toLowerCase();
  if (mode !== 'wal' || check !== 'wal') {
    throw new Error(`The database refused WAL mode (journal_mode is "${check}").`);
  }
}

/**
 * Functions with side effects may not run from the schema (triggers, views, defaults, CHECKs): a
 * database file is data, and whatever SQL it carries must not act with the app's rights.
 */
export function distrustSchema(db: Database): void {
  db.exec('PRAGMA trusted_schema=OFF');
}

let pool: SAHPoolUtil | null = null;

/**
 * Opens the database on OPFS through opfs-sahpool. Call only while holding the owner's Web Lock
 * (src/worker/tab-link.ts): the pool takes exclusive access handles on every file in its directory.
 */
export async function openOpfs(sqlite3: Sqlite3Static): Promise<DbHandle> {
  performance.mark(START_MARKS.opfsOpen);
  if (pool?.isPaused()) {
    await pool.unpauseVfs();
  } else if (!pool) {
    pool = await sqlite3.installOpfsSAHPoolVfs({
      name: VFS_NAME,
      // With the defaults a failed install deletes the pool directory: that would be all the data.
      preserveOnInitFailure: true,
      // Not in the 3.54.1 typings, present in the code: retry after a failure (e.g. a tab that
      // still held the handles) instead of returning the cached rejection forever.
      forceReinitIfPreviouslyFailed: true,
    } as Parameters<Sqlite3Static['installOpfsSAHPoolVfs']>[0]);
  }
  const db = new pool.OpfsSAHPoolDb(DB_FILE);
  try {
    tuneConnection(db);
  } catch (e) {
    db.close();
    throw e;
  }
  performance.mark(START_MARKS.opfsOpened);
  return { sqlite3, db, storage: 'opfs', pool };
}

/** Opens a private in-memory database (no OPFS here): the caller must tell the user. */
export function openMemory(sqlite3: Sqlite3Static): DbHandle {
  const db = new sqlite3.oo1.DB(':memory:', 'c');
  distrustSchema(db);
  return { sqlite3, db, storage: 'memory', pool: null };
}

/**
 * Writes everything to the main file, closes the connection and, on OPFS, releases the access
 * handles so that another tab's worker can open the same files.
 */
export function closeHandle(h: DbHandle): void {
  if (h.db.isOpen()) {
    if (h.storage === 'opfs') h.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    h.db.close();
  }
  h.pool?.pauseVfs();
}
