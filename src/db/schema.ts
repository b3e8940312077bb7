/**
 * The database schema, built by numbered migrations on PRAGMA user_version.
 *
 * Time series layout (v2), chosen by measurement (`node scripts/measure-db-layout.mjs`, sqlite-wasm in
 * Node on the 2-core dev box, 2 endpoints x 20 keys at 1 s = 40 samples per tick):
 *   packed rowid table + index(endpoint,ts)   10.1 B/sample, tick 0.02 ms, 10-min read ~2 ms
 *   packed WITHOUT ROWID pk(endpoint,ts)       9.6 B/sample, tick 0.02 ms (p99 1.2 ms), ~2.5 ms
 *   narrow (series,ts,value) WITHOUT ROWID    24.8 B/sample, tick 0.18 ms, ~17 ms
 * One row per endpoint per tick whose `vals` is a packed float64 array (NaN = missing) keeps the row
 * overhead to ~1 byte per sample, within the 12 B/sample budget; `layouts` maps blob positions to
 * series keys, so a new metric is a new layout row, never a migration. A rowid table rather than
 * WITHOUT ROWID: its rows stay on one page up to ~4 kB (~500 keys) where a WITHOUT ROWID row spills
 * into overflow pages past ~1 kB (~125 keys, reachable by a router with many models and slots), and
 * rowid order is insertion order, which keeps batched pruning of the oldest rows cheap.
 * Rollups (per minute, per hour) have the same shape with float32 [min,max,avg,last] per key: 16 bytes
 * per key per bucket instead of 32, 7 significant digits, plenty for charts.
 * End to end (`node scripts/measure-storage.mjs 7`, same box under load average ~12): 10.0 B per raw
 * sample; a 40-sample tick commits in 0.1 ms (median); 10-minute chart query 1.5-3.4 ms, 24 h
 * 10-17 ms, 7 days 1.6-12 ms (8 series, 1000 px); a retention pass each minute ~1.5 ms; 7 days of
 * one server + exporter hold 10.5 MB (raw 2.9, minutes 7.4, hours 0.14).
 */
import { inTx, rows, type DB } from './sql';
import { migrateV1ToV2 } from './schema-v1';
import { migrateV3ToV4 } from './schema-v4';
import { addRpcWrites } from './schema-rpc';
import { migrateEndpointsPrometheus } from './schema-prometheus';
import { migrateAddRequests } from './schema-requests';
import { migrateAddPromCopies } from './schema-prom-copies';

/** Newest schema this build knows. */
export const SCHEMA_VERSION = 8;

/** PRAGMA application_id of our files ("LlmD"), so another application's SQLite file is recognised. */
export const APP_ID = 0x4c6c6d44;

const V1 = `
CREATE TABLE endpoints(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, url TEXT NOT NULL,
  api_key TEXT, interval_ms INTEGER NOT NULL DEFAULT 1000, enabled INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL);
CREATE TABLE metrics_history(id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL, ts INTEGER NOT NULL,
  prompt_tokens_total REAL, tokens_predicted_total REAL, prompt_tps REAL, gen_tps REAL,
  requests_processing REAL, requests_deferred REAL, kv_cache_usage REAL,
  gpu_util REAL, gpu_mem_used REAL, cpu_util REAL, mem_used REAL);
CREATE INDEX metrics_history_ts ON metrics_history(endpoint_id, ts);
CREATE TABLE model_configs(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, family TEXT, type TEXT, status TEXT,
  model_path TEXT, ctx_size INTEGER, n_gpu_layers INTEGER, threads INTEGER, batch_size INTEGER, flash_attn INTEGER,
  temperature REAL, notes TEXT, created_at INTEGER, updated_at INTEGER);
CREATE TABLE metadata(key TEXT PRIMARY KEY, value TEXT);
`;

const V2 = `
CREATE TABLE endpoints(id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK(kind IN ('llama','exporter')),
  name TEXT NOT NULL, url TEXT NOT NULL, api_key TEXT, interval_ms INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, UNIQUE(kind, url));
CREATE TABLE layouts(id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL, keys TEXT NOT NULL, UNIQUE(endpoint_id, keys));
CREATE TABLE frames(endpoint_id INTEGER NOT NULL, ts INTEGER NOT NULL, layout_id INTEGER NOT NULL, vals BLOB NOT NULL);
CREATE UNIQUE INDEX frames_endpoint_ts ON frames(endpoint_id, ts);
CREATE TABLE frames_1m(endpoint_id INTEGER NOT NULL, ts INTEGER NOT NULL, layout_id INTEGER NOT NULL,
  n INTEGER NOT NULL, vals BLOB NOT NULL);
CREATE UNIQUE INDEX frames_1m_endpoint_ts ON frames_1m(endpoint_id, ts);
CREATE TABLE frames_1h(endpoint_id INTEGER NOT NULL, ts INTEGER NOT NULL, layout_id INTEGER NOT NULL,
  n INTEGER NOT NULL, vals BLOB NOT NULL);
CREATE UNIQUE INDEX frames_1h_endpoint_ts ON frames_1h(endpoint_id, ts);
CREATE TABLE events(id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT);
CREATE INDEX events_endpoint_ts ON events(endpoint_id, ts);
CREATE TABLE catalogues(id INTEGER PRIMARY KEY, build TEXT NOT NULL, help_text TEXT NOT NULL, catalogue TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE models(id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE, family TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'draft', notes TEXT NOT NULL DEFAULT '',
  args TEXT NOT NULL DEFAULT '{}', extra_args TEXT NOT NULL DEFAULT '[]', catalogue_id INTEGER, endpoint_id INTEGER,
  router_model TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX models_status ON models(status);
CREATE INDEX models_type ON models(type);
CREATE TABLE metadata(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/** migrations[i] takes a database from version i to i + 1. Never edit a shipped one: append. */
const migrations: ((db: DB) => void)[] = [
  (db) => db.exec(V1),
  (db) => migrateV1ToV2(db, V2),
  // v3: endpoints added by a page link (?server=, ?exporter=) stay marked until the user keeps or removes them.
  (db) => db.exec('ALTER TABLE endpoints ADD COLUMN from_link INTEGER NOT NULL DEFAULT 0'),
  // v4: the parsed GGUF header of a configuration's model file (Will it fit?).
  migrateV3ToV4,
  // v5: ids of writes other tabs sent, so one sent again after an owner change is applied once.
  addRpcWrites,
  // v6: endpoints may be Prometheus servers (kind 'prometheus'); the table is rebuilt for its CHECK.
  migrateEndpointsPrometheus,
  // v7: one row per request followed on a llama-server (Requests view).
  migrateAddRequests,
  // v8: local copies of Prometheus data, kept for offline reading (Fleet).
  migrateAddPromCopies,
];

/** The v1 DDL, for tests and the fixture script that build a database as the first version did. */
export const V1_DDL = V1;

/** PRAGMA user_version of `db`. */
export function schemaVersion(db: DB): number {
  return Number(db.selectValue('PRAGMA user_version'));
}

/**
 * Why `db` is not one of ours, or null when it is (or is empty). Checks application_id and, for files
 * from before it was set, the table names.
 */
export function foreignReason(db: DB): string | null {
  const appId = Number(db.selectValue('PRAGMA application_id'));
  const tables = rows<{ name: string }>(db, "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((r) => r.name);
  if (appId === APP_ID) return null;
  const list = tables.length > 8 ? `${tables.slice(0, 8).join(', ')}, ...` : tables.join(', ');
  if (appId !== 0) return `it belongs to another application (application id ${appId}; tables: ${list || 'none'})`;
  if (tables.length === 0) return null;
  const version = schemaVersion(db);
  const ours = version === 1 && ['endpoints', 'metrics_history', 'model_configs', 'metadata'].every((t) => tables.includes(t));
  return ours ? null : `it belongs to another application (tables: ${list})`;
}

/**
 * Brings `db` to `target` (SCHEMA_VERSION unless a test builds an older version's file), one migration
 * per transaction. Throws, changing nothing, when the database is newer than this build or belongs to
 * another application.
 */
export function migrate(db: DB, target = SCHEMA_VERSION): { from: number; to: number } {
  const from = schemaVersion(db);
  if (from > SCHEMA_VERSION) {
    throw new Error(`This database was made by a newer Llama Dashboard (schema ${from}, this one knows ${SCHEMA_VERSION}): update the app`);
  }
  const foreign = foreignReason(db);
  if (foreign) throw new Error(`This database cannot be used: ${foreign}`);
  for (let v = from; v < target; v++) {
    inTx(db, () => {
      migrations[v](db);
      db.exec(`PRAGMA user_version = ${v + 1}; PRAGMA application_id = ${APP_ID}`);
    });
  }
  return { from, to: Math.max(from, target) };
}
