/**
 * Migration allowing endpoints of kind 'prometheus' (a Prometheus server the fleet page reads). The kind
 * is a CHECK constraint on endpoints (v2), which SQLite cannot alter: the table is rebuilt as SQLite's
 * twelve-step ALTER procedure says (new table, copy every row with its id, drop, rename), keeping every
 * column, from_link (v3) included. No index, trigger or view refers to endpoints, and no foreign key
 * points at it, so none has to be recreated.
 * Version 6, after the tabs' write ids (5).
 */
import type { DB } from './sql';

/** The endpoints table as it is from this version on. */
export const ENDPOINTS_DDL = `
CREATE TABLE endpoints_next(id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK(kind IN ('llama','exporter','prometheus')),
  name TEXT NOT NULL, url TEXT NOT NULL, api_key TEXT, interval_ms INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, from_link INTEGER NOT NULL DEFAULT 0, UNIQUE(kind, url));
`;

/** Rebuilds endpoints with the wider kind check; every row keeps its id and values. */
export function migrateEndpointsPrometheus(db: DB): void {
  db.exec(ENDPOINTS_DDL);
  db.exec(`INSERT INTO endpoints_next(id, kind, name, url, api_key, interval_ms, enabled, created_at, from_link)
    SELECT id, kind, name, url, api_key, interval_ms, enabled, created_at, from_link FROM endpoints`);
  db.exec('DROP TABLE endpoints');
  db.exec('ALTER TABLE endpoints_next RENAME TO endpoints');
  const bad = db.selectValue('SELECT count(*) FROM pragma_foreign_key_check');
  if (Number(bad) !== 0) throw new Error('The endpoints table could not be rebuilt: foreign keys no longer match');
}
