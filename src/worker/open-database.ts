import type { Sqlite3Static } from '@sqlite.org/sqlite-wasm';
import { hasOpfs, loadSqlite, openMemory, openOpfs, type DbHandle } from '../db/open';
import { errorText } from '../lib/error-text';

/** Where to open the database: OPFS when the browser has it, or memory (said loudly). */
export type StorageChoice = 'auto' | 'memory';

/** Opens a private in-memory database; injected so tests can give tabs one shared in-memory file. */
export type MemoryOpener = (sqlite3: Sqlite3Static) => DbHandle;

/** Why there is no OPFS here, in words that say what to do. */
export function memoryOnlyReason(): string {
  const lost = 'so everything lives in memory and is lost when this tab closes.';
  if (globalThis.isSecureContext === false) {
    return `Browsers give persistent storage (OPFS) only to pages on https:// or http://localhost, ${lost} ` +
      'Open the dashboard through https, or on the machine itself at http://localhost or http://127.0.0.1.';
  }
  return `This browser gives the page no persistent storage (OPFS), ${lost} Use a current Chrome, Edge, ` +
    'Firefox or Safari outside private browsing to keep history and model configurations.';
}

/**
 * How long a new owner keeps trying to open the OPFS files. A tab that closed has released its Web Lock,
 * but the browser may free its file handles a moment later.
 */
const OPFS_RETRY_MS = 5000;
const OPFS_RETRY_STEP_MS = 100;

async function openOpfsPatiently(sqlite3: Sqlite3Static): Promise<DbHandle> {
  const until = Date.now() + OPFS_RETRY_MS;
  for (;;) {
    try {
      return await openOpfs(sqlite3);
    } catch (e) {
      if (Date.now() >= until) throw e;
      await new Promise((r) => setTimeout(r, OPFS_RETRY_STEP_MS));
    }
  }
}

/** An open database with the words the user must see about it, or why none could be opened. */
export type Opened = { ok: true; handle: DbHandle; message: string | null } | { ok: false; message: string };

/** Opens the database: OPFS (call only while holding the owner's Web Lock), else memory with a reason. */
export async function openDatabase(storage: StorageChoice, memory: MemoryOpener = openMemory): Promise<Opened> {
  let sqlite3: Sqlite3Static;
  try {
    sqlite3 = await loadSqlite();
  } catch (e) {
    return { ok: false, message: `SQLite could not be loaded (${errorText(e)}). Reload the page; if this persists, the site's files may be incomplete.` };
  }
  const preferOpfs = storage === 'auto' && hasOpfs();
  if (!preferOpfs) return { ok: true, handle: memory(sqlite3), message: storage === 'memory' ? null : memoryOnlyReason() };
  try {
    return { ok: true, handle: await openOpfsPatiently(sqlite3), message: null };
  } catch (e) {
    return {
      ok: true,
      handle: memory(sqlite3),
      message: `The stored database could not be opened (${errorText(e)}), so the dashboard runs on a ` +
        'temporary in-memory database and keeps nothing. Close the other tabs of the dashboard and reload; ' +
        'your stored data has not been touched.',
    };
  }
}
