/**
 * Migration adding `requests`: one row per request the dashboard followed on a llama-server (or a router's
 * model), written while it runs and when it ends, kept for its own retention window (metadata
 * `requests.retention`) rather than the samples' tiers, since one row per request is small and is what
 * a user looks back at for weeks. Times are ms since the epoch, durations ms, speeds tokens/s; NULL where
 * unknown. `exact` lists the figures taken from the counters of a tick in which the request alone moved
 * them (tokens, prefill, decode); `source` is 'counters' for requests no poll caught on a slot.
 * Version 7, after the Prometheus endpoints (6).
 */
import type { DB } from './sql';

/** The DDL of requests. */
export const REQUESTS_DDL = `
CREATE TABLE requests(id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL, model TEXT NOT NULL DEFAULT '',
  key TEXT NOT NULL, ts INTEGER NOT NULL, slot INTEGER, start_ts INTEGER, first_token_ts INTEGER, end_ts INTEGER,
  prompt_tokens INTEGER, cached_tokens INTEGER, generated_tokens INTEGER, queue_ms REAL, ttft_ms REAL,
  prefill_tps REAL, decode_tps REAL, duration_ms REAL, outcome TEXT NOT NULL, precision_ms REAL,
  exact TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, speculative INTEGER, UNIQUE(endpoint_id, model, key));
CREATE INDEX requests_ts ON requests(ts);
`;

/** Adds requests; existing rows of every other table are untouched. */
export function migrateAddRequests(db: DB): void {
  db.exec(REQUESTS_DDL);
}
