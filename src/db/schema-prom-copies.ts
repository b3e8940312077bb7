/**
 * Migration adding the local copies of Prometheus data (lib/prom-copy.ts): one row per copy (which
 * Prometheus, which instance, the time grid, when it was kept) and one per line of its charts, the
 * values packed as float64 on the copy's grid (NaN = no point). A table of their own rather than the
 * metric tiers: a copy holds PromQL results (rates, sums) of an instance this browser never polled, at
 * Prometheus' step, kept until the user deletes it; retention and the collector leave it alone.
 * `endpoint_id` is informational (the copy outlives its Prometheus endpoint); `source` is its address.
 * Version 8, after the requests (7).
 */
import type { DB } from './sql';

/** The DDL of the copies. */
export const PROM_COPIES_DDL = `
CREATE TABLE prom_copies(id INTEGER PRIMARY KEY, endpoint_id INTEGER, source TEXT NOT NULL, kind TEXT NOT NULL,
  job TEXT NOT NULL, instance TEXT NOT NULL, model TEXT NOT NULL DEFAULT '', start_ts INTEGER NOT NULL,
  step_ms INTEGER NOT NULL, points INTEGER NOT NULL, samples INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE prom_copy_series(id INTEGER PRIMARY KEY, copy_id INTEGER NOT NULL, chart TEXT NOT NULL,
  chart_label TEXT NOT NULL, key TEXT NOT NULL, label TEXT NOT NULL, vals BLOB NOT NULL, UNIQUE(copy_id, key));
`;

/** Adds the copies' tables; every other table is untouched. */
export function migrateAddPromCopies(db: DB): void {
  db.exec(PROM_COPIES_DDL);
}
