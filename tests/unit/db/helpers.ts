import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import { migrate } from '../../../src/db/schema';
import type { DB, Sqlite3 } from '../../../src/db/sql';

let module: Promise<Sqlite3> | null = null;

/** The sqlite-wasm module, initialised once per test file. */
export function sqlite(): Promise<Sqlite3> {
  module ??= sqlite3InitModule();
  return module;
}

/** A fresh in-memory database at the current schema. */
export async function freshDb(): Promise<DB> {
  const s = await sqlite();
  const db = new s.oo1.DB(':memory:');
  migrate(db);
  return db;
}
