import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import type { Database, SAHPoolUtil, Sqlite3Static } from '@sqlite.org/sqlite-wasm';

/** Path of the one database file inside the sahpool VFS (sahpool paths must be absolute). */
const DB_FILE = '/llama-dashboard.sqlite3';
/** VFS name; its OPFS directory is ".llama-dashboard". Changing it orphans existing data. */
const VFS_NAME = 'llama-dashboard';
/** Web Lock held for as long as a worker has the database open. */
const LOCK_NAME = 'llama-dashboard-db';
/** BroadcastChannel the tabs use to ask the owner to hand the database over. */
const CHANNEL_NAME = 'llama-dashboard-db';

/** An open database and where it lives. */
export interface DbHandle {
  sqlite3: Sqlite3Static;
  db: Database;
  storage: 'opfs' | 'memory';
  /** Set for OPFS: the pool, paused on close so another tab can take the files. */
  pool: SAHPoolUtil | null;
}

let sqlite3Promise: Promise<Sqlite3Static> | null = null;

/** Loads and initialises sqlite3.wasm once per thread. */
export function loadSqlite(): Promise<Sqlite3Static> {
  sqlite3Promise ??= sqlite3InitModule();
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
 * Opens the database on OPFS through opfs-sahpool. Call only while holding the Web Lock: the pool
 * takes exclusive access handles on every file in its directory.
 */
export async function openOpfs(sqlite3: Sqlite3Static): Promise<DbHandle> {
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

/** What a tab's worker is doing about the shared database. */
export type OwnershipState = 'owner' | 'waiting' | 'handed-over';

/** Callbacks the single-writer lock drives. */
export interface OwnershipHooks {
  /** The lock is ours: open the database. */
  acquire(): Promise<void>;
  /** Another tab asked for the database: stop writing, flush and close before the lock goes. */
  release(): Promise<void>;
  /** Called on every change, with words for the user when something went wrong. */
  changed(state: OwnershipState, message?: string): void;
}

type ChannelMessage = { type: 'takeover'; from: string };

/**
 * One writer across tabs: a worker keeps a Web Lock for as long as it has the database open.
 * Other tabs queue for the lock (so closing the owner tab hands over by itself) and can ask the
 * owner over a BroadcastChannel to hand over now ("Use here").
 */
export class SingleWriter {
  readonly #hooks: OwnershipHooks;
  readonly #id = crypto.randomUUID();
  readonly #channel = new BroadcastChannel(CHANNEL_NAME);
  #queued = false;
  #unlock: (() => void) | null = null;

  constructor(hooks: OwnershipHooks) {
    this.#hooks = hooks;
    this.#channel.onmessage = (e: MessageEvent<ChannelMessage>) => {
      if (e.data?.type === 'takeover' && e.data.from !== this.#id) void this.#handOver();
    };
  }

  /** True while this worker holds the lock. */
  get owner(): boolean {
    return this.#unlock !== null;
  }

  /** Takes the lock if free, else queues for it and reports 'waiting'. */
  start(): void {
    this.#request(true);
  }

  /** Asks whoever holds the database to hand it over to this tab. */
  useHere(): void {
    if (this.owner) return;
    if (!this.#queued) this.#request(false);
    this.#channel.postMessage({ type: 'takeover', from: this.#id } satisfies ChannelMessage);
  }

  #request(ifAvailable: boolean): void {
    this.#queued = true;
    navigator.locks
      .request(LOCK_NAME, { ifAvailable }, async (lock) => {
        this.#queued = false;
        if (!lock) {
          this.#hooks.changed('waiting');
          this.#request(false);
          return;
        }
        const held = new Promise<void>((resolve) => (this.#unlock = resolve));
        this.#hooks.changed('owner');
        await this.#hooks.acquire();
        await held;
      })
      .catch((e: unknown) => {
        this.#queued = false;
        this.#unlock = null;
        this.#hooks.changed('waiting', `Could not take the database lock: ${String(e)}`);
      });
  }

  async #handOver(): Promise<void> {
    const unlock = this.#unlock;
    if (!unlock) return;
    try {
      await this.#hooks.release();
    } catch (e) {
      // Keeping the lock is the safe side: the other tab keeps waiting and no file is shared.
      this.#hooks.changed('owner', `Could not hand the database over: ${String(e)}`);
      return;
    }
    this.#unlock = null;
    unlock();
    this.#hooks.changed('handed-over');
  }
}
