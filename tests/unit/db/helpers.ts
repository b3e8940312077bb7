import { readFileSync } from 'node:fs';
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import { listEndpoints } from '../../../src/db/endpoints';
import { latestValues } from '../../../src/db/metrics';
import { listModels } from '../../../src/db/models';
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

/**
 * A database image (an exported or fixture file) opened in memory, writable and able to grow, as the app
 * opens an imported file. The bytes are copied: the caller's array stays as it was.
 */
export async function openImage(bytes: Uint8Array): Promise<DB> {
  const s = await sqlite();
  const db = new s.oo1.DB(':memory:');
  const p = s.wasm.allocFromTypedArray(bytes);
  db.checkRc(s.capi.sqlite3_deserialize(db.pointer!, 'main', p, bytes.byteLength, bytes.byteLength,
    s.capi.SQLITE_DESERIALIZE_FREEONCLOSE | s.capi.SQLITE_DESERIALIZE_RESIZEABLE));
  return db;
}

/** The real schema-2 file (made by the v2 code, tests/fixtures/db/make-v2.mjs), migrated to `version`. */
export async function fileAtVersion(version: number): Promise<DB> {
  const db = await openImage(new Uint8Array(readFileSync(new URL('../../fixtures/db/v2.sqlite3', import.meta.url))));
  migrate(db, version);
  return db;
}

/** What every migration must keep: the configurations, the endpoints and each endpoint's newest values. */
export function keptRows(db: DB) {
  const endpoints = listEndpoints(db);
  return { models: listModels(db), endpoints, latest: endpoints.map((e) => latestValues(db, e.id)) };
}
