/** The user's retention settings (metadata) and the size cap that prunes the oldest history first. */
import { getMeta, setMeta } from './metadata';
import { rows, type DB } from './sql';
import { sanitizeRetention, type RetentionSettings } from '../lib/retention-cost';

const KEY = 'retention.settings';
const HISTORY_TABLES = ['frames_1h', 'frames_1m', 'frames'] as const;

/** The stored settings, made valid (an imported or hand-edited value cannot break retention). */
export function getRetention(db: DB): RetentionSettings {
  return sanitizeRetention(getMeta(db, KEY));
}

/** Stores `value` as valid settings and returns what was stored. */
export function setRetention(db: DB, value: unknown): RetentionSettings {
  const s = sanitizeRetention(value);
  setMeta(db, KEY, s);
  return s;
}

/**
 * Bytes in use: pages that hold data. Deleted rows free pages for reuse, so a capped database stops
 * growing at about the cap, though the file only shrinks with Vacuum.
 */
export function usedBytes(db: DB): number {
  const pages = Number(db.selectValue('PRAGMA page_count')) - Number(db.selectValue('PRAGMA freelist_count'));
  return pages * Number(db.selectValue('PRAGMA page_size'));
}

/**
 * Deletes up to `maxRows` of the oldest history rows while the database is larger than `maxBytes`.
 * Oldest means the table whose first row is oldest (hours, then minutes, then raw, as tiers age);
 * rows go in rowid order, which is insertion order, so no sort over the table is needed.
 */
export function pruneToSize(db: DB, maxBytes: number, maxRows: number): { deleted: number; more: boolean; over: boolean } {
  if (usedBytes(db) <= maxBytes) return { deleted: 0, more: false, over: false };
  let oldest: { table: string; ts: number } | null = null;
  for (const table of HISTORY_TABLES) {
    const ts = db.selectValue(`SELECT ts FROM ${table} ORDER BY rowid LIMIT 1`);
    if (typeof ts === 'number' && (!oldest || ts < oldest.ts)) oldest = { table, ts };
  }
  // Nothing left to delete: the rest (configurations, endpoints) is not history and stays.
  if (!oldest) return { deleted: 0, more: false, over: true };
  db.exec({ sql: `DELETE FROM ${oldest.table} WHERE rowid IN (SELECT rowid FROM ${oldest.table} ORDER BY rowid LIMIT ?)`, bind: [Math.max(1, maxRows)] });
  const deleted = db.changes();
  const over = usedBytes(db) > maxBytes;
  return { deleted, more: over, over };
}

/** Per endpoint: how many series its newest layout stores and how often it is polled (for the cost estimate). */
export function costInputs(db: DB): { id: number; name: string; kind: string; intervalMs: number; series: number }[] {
  return rows<{ id: number; name: string; kind: string; interval_ms: number; keys: string | null }>(db,
    `SELECT e.id, e.name, e.kind, e.interval_ms,
       (SELECT keys FROM layouts l WHERE l.endpoint_id = e.id ORDER BY l.id DESC LIMIT 1) AS keys
     FROM endpoints e ORDER BY e.id`).map((r) => ({
    id: r.id, name: r.name, kind: r.kind, intervalMs: r.interval_ms,
    series: r.keys ? (JSON.parse(r.keys) as unknown[]).length : 0,
  }));
}
