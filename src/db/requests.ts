/**
 * Per-request rows (table `requests`, see schema-requests.ts): written by the llama-server poller as the
 * request tracker reports them, read by the Requests view, pruned by their own retention window.
 */
import { getMeta, setMeta } from './metadata';
import { rows, type DB } from './sql';
import type { RequestRecord } from '../lib/request-tracker';
import { bucketPercentiles, summarize } from '../lib/request-stats';
import type { RequestQuery, RequestRow, RequestStats } from '../lib/types';

export type { RequestQuery, RequestRow, RequestStats } from '../lib/types';

const RETENTION_KEY = 'requests.retention';
const FAST_KEY = 'requests.fast_ms';
/** How often /slots is read while requests run unless the user says otherwise (0 turns fast reads off). */
export const DEFAULT_FAST_MS = 250;
/** Requests are kept this long unless the user says otherwise: small rows, looked back at for weeks. */
export const DEFAULT_REQUEST_RETENTION_DAYS = 30;
const DAY = 86_400_000;

const exactList = (r: RequestRecord) => [r.exactTokens && 'tokens', r.exactPrefill && 'prefill', r.exactDecode && 'decode'].filter(Boolean).join(',');
const round = (x: number | null) => (x === null ? null : Math.round(x));

/** Inserts or updates (by endpoint, model and the tracker's key) the records of one poll. */
export function saveRequests(db: DB, endpointId: number, model: string, records: readonly RequestRecord[]): void {
  if (records.length === 0) return;
  const stmt = db.prepare(`INSERT INTO requests(endpoint_id, model, key, ts, slot, start_ts, first_token_ts, end_ts,
      prompt_tokens, cached_tokens, generated_tokens, queue_ms, ttft_ms, prefill_tps, decode_tps, duration_ms, outcome,
      precision_ms, exact, source, speculative)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT(endpoint_id, model, key) DO UPDATE SET ts = excluded.ts, slot = excluded.slot, start_ts = excluded.start_ts,
      first_token_ts = excluded.first_token_ts, end_ts = excluded.end_ts, prompt_tokens = excluded.prompt_tokens,
      cached_tokens = excluded.cached_tokens, generated_tokens = excluded.generated_tokens, queue_ms = excluded.queue_ms,
      ttft_ms = excluded.ttft_ms, prefill_tps = excluded.prefill_tps, decode_tps = excluded.decode_tps,
      duration_ms = excluded.duration_ms, outcome = excluded.outcome, precision_ms = excluded.precision_ms,
      exact = excluded.exact, source = excluded.source, speculative = excluded.speculative`);
  try {
    for (const r of records) {
      const ts = Math.round(r.start ?? r.end ?? 0);
      stmt.bind([endpointId, model, r.key, ts, r.slot, round(r.start), round(r.firstToken), round(r.end),
        r.promptTokens, r.cachedTokens, r.generatedTokens, r.queueMs, r.ttftMs, r.prefillTps, r.decodeTps, r.durationMs,
        r.outcome, r.precisionMs, exactList(r), r.source, r.speculative === null ? null : Number(r.speculative)]).stepReset();
    }
  } finally {
    stmt.finalize();
  }
}

interface Raw {
  id: number; endpoint_id: number; model: string; ts: number; slot: number | null; start_ts: number | null;
  first_token_ts: number | null; end_ts: number | null; prompt_tokens: number | null; cached_tokens: number | null;
  generated_tokens: number | null; queue_ms: number | null; ttft_ms: number | null; prefill_tps: number | null;
  decode_tps: number | null; duration_ms: number | null; outcome: string; precision_ms: number | null; exact: string;
  source: string; speculative: number | null;
}

function where(q: RequestQuery): { sql: string; bind: (string | number)[] } {
  const parts = ['ts >= ?', 'ts < ?'];
  const bind: (string | number)[] = [Math.floor(q.from), Math.ceil(q.to)];
  if (q.endpointId != null) { parts.push('endpoint_id = ?'); bind.push(q.endpointId); }
  if (q.model != null) { parts.push('model = ?'); bind.push(q.model); }
  return { sql: parts.join(' AND '), bind };
}

/** Requests in the range, newest first. */
export function listRequests(db: DB, q: RequestQuery): RequestRow[] {
  const w = where(q);
  return rows<Raw>(db, `SELECT * FROM requests WHERE ${w.sql} ORDER BY ts DESC, id DESC LIMIT ?`, [...w.bind, q.limit ?? 5000]).map((r) => {
    const exact = r.exact.split(',');
    return {
      id: r.id, endpointId: r.endpoint_id, model: r.model, ts: r.ts, slot: r.slot, start: r.start_ts, firstToken: r.first_token_ts,
      end: r.end_ts, promptTokens: r.prompt_tokens, cachedTokens: r.cached_tokens, generatedTokens: r.generated_tokens,
      queueMs: r.queue_ms, ttftMs: r.ttft_ms, prefillTps: r.prefill_tps, decodeTps: r.decode_tps, durationMs: r.duration_ms,
      outcome: r.outcome === 'running' || r.outcome === 'unknown' ? r.outcome : 'ended', precisionMs: r.precision_ms,
      exactTokens: exact.includes('tokens'), exactPrefill: exact.includes('prefill'), exactDecode: exact.includes('decode'),
      source: r.source === 'counters' ? 'counters' : 'slots', speculative: r.speculative === null ? null : r.speculative !== 0,
    };
  });
}

/** Summaries of the requests that ended in the range (running ones have no final figures yet). */
export function requestStats(db: DB, q: RequestQuery): RequestStats {
  const w = where(q);
  const bucketMs = q.bucketMs ?? 300_000;
  const r = rows<{ ts: number; ttft_ms: number | null; decode_tps: number | null; duration_ms: number | null; source: string; precision_ms: number | null }>(db,
    `SELECT ts, ttft_ms, decode_tps, duration_ms, source, precision_ms FROM requests WHERE ${w.sql} AND outcome = 'ended' ORDER BY ts`, w.bind);
  const ts = r.map((x) => x.ts);
  const col = (k: 'ttft_ms' | 'decode_tps' | 'duration_ms') => r.map((x) => x[k]);
  const prec = r.map((x) => x.precision_ms).filter((x): x is number => x !== null);
  return {
    total: r.length,
    countersOnly: r.filter((x) => x.source === 'counters').length,
    precisionMs: prec.length ? Math.max(...prec) : null,
    ttft: summarize(col('ttft_ms')),
    decode: summarize(col('decode_tps')),
    duration: summarize(col('duration_ms')),
    buckets: {
      ttft: bucketPercentiles(ts, col('ttft_ms'), q.from, q.to, bucketMs),
      decode: bucketPercentiles(ts, col('decode_tps'), q.from, q.to, bucketMs),
      duration: bucketPercentiles(ts, col('duration_ms'), q.from, q.to, bucketMs),
    },
  };
}

/** The endpoint/model pairs that have requests (for the view's filter). */
export function requestSources(db: DB): { endpointId: number; model: string; n: number }[] {
  return rows<{ endpoint_id: number; model: string; n: number }>(db, 'SELECT endpoint_id, model, count(*) AS n FROM requests GROUP BY endpoint_id, model ORDER BY endpoint_id, model')
    .map((r) => ({ endpointId: r.endpoint_id, model: r.model, n: r.n }));
}

/** How many days requests are kept. */
export function getRequestRetentionDays(db: DB): number {
  const v = getMeta<unknown>(db, RETENTION_KEY);
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.floor(v) : DEFAULT_REQUEST_RETENTION_DAYS;
}

/** Sets how many days requests are kept (1 to 3650); refuses anything else in words. */
export function setRequestRetentionDays(db: DB, days: unknown): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650) {
    throw new Error(`Requests can be kept for 1 to 3650 whole days; "${String(days)}" is not one of those.`);
  }
  setMeta(db, RETENTION_KEY, days);
  return days;
}

/** How often /slots is read while requests run (ms); 0: only at each tick. */
export function getFastMs(db: DB): number {
  const v = getMeta<unknown>(db, FAST_KEY);
  return typeof v === 'number' && Number.isInteger(v) && (v === 0 || (v >= 100 && v <= 60_000)) ? v : DEFAULT_FAST_MS;
}

/** Sets the fast /slots interval: 0 (off) or 100 to 60000 ms; refuses anything else in words. */
export function setFastMs(db: DB, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || !(ms === 0 || (ms >= 100 && ms <= 60_000))) {
    throw new Error(`The fast read interval is 0 (off) or 100 to 60000 whole milliseconds; "${String(ms)}" is not one of those.`);
  }
  setMeta(db, FAST_KEY, ms);
  return ms;
}

/** Deletes up to `maxRows` requests older than the retention window; `more` when some are left. */
export function pruneRequests(db: DB, now: number, maxRows: number): { deleted: number; more: boolean } {
  const before = now - getRequestRetentionDays(db) * DAY;
  db.exec({ sql: 'DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE ts < ? ORDER BY ts LIMIT ?)', bind: [before, Math.max(1, maxRows)] });
  const deleted = db.changes();
  return { deleted, more: deleted >= maxRows };
}

/**
 * Requests stored as running when the database opens were left by a tab that stopped following them: they
 * can no longer be seen to end, so they are marked 'unknown' rather than shown as running for ever.
 */
export function markUnfollowed(db: DB): number {
  db.exec("UPDATE requests SET outcome = 'unknown' WHERE outcome = 'running'");
  return db.changes();
}
