/** In-memory copies of database images, distrusted before their schema is read (import and export work on these). */
import { distrustSchema } from './open';
import type { DB, Sqlite3 } from './sql';

/**
 * Marks an image as a plain rollback-journal file. A WAL database's image says "WAL" in its header
 * (bytes 18-19); as a standalone download (or an in-memory copy, which cannot do WAL) it must not.
 */
export function asRollbackImage(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 20 && (bytes[18] === 2 || bytes[19] === 2)) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return bytes;
}

/** An empty in-memory database that will not run functions with side effects from any schema. */
export function newCopy(sqlite3: Sqlite3): DB {
  const db = new sqlite3.oo1.DB(':memory:', 'c');
  distrustSchema(db);
  return db;
}

/** `bytes` (copied) as an in-memory database, distrusted before its schema is ever read. */
export function openImage(sqlite3: Sqlite3, bytes: Uint8Array): DB {
  const copy = newCopy(sqlite3);
  try {
    const image = asRollbackImage(bytes.slice());
    const p = sqlite3.wasm.allocFromTypedArray(image);
    const { capi } = sqlite3;
    copy.checkRc(capi.sqlite3_deserialize(copy.pointer!, 'main', p, image.byteLength, image.byteLength,
      capi.SQLITE_DESERIALIZE_FREEONCLOSE | capi.SQLITE_DESERIALIZE_RESIZEABLE));
    return copy;
  } catch (e) {
    copy.close();
    throw e;
  }
}

/**
 * Attaches `bytes` (copied) to `db` as schema `name`, so that rows move between the two in SQLite's
 * own loop. Only plain SELECTs may read it: its triggers belong to its own tables and never fire on
 * writes to `db`'s main schema.
 */
export function attachImage(sqlite3: Sqlite3, db: DB, name: string, bytes: Uint8Array): void {
  db.exec(`ATTACH ':memory:' AS ${name}`);
  const image = asRollbackImage(bytes.slice());
  const p = sqlite3.wasm.allocFromTypedArray(image);
  const { capi } = sqlite3;
  db.checkRc(capi.sqlite3_deserialize(db.pointer!, name, p, image.byteLength, image.byteLength,
    capi.SQLITE_DESERIALIZE_FREEONCLOSE | capi.SQLITE_DESERIALIZE_READONLY));
}
