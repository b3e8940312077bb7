/** Key/value settings (theme, layout choices, ...), stored as JSON. */
import { rows, type DB } from './sql';

/** Stores any JSON-serialisable value under `key` (replacing what was there). */
export function setMeta(db: DB, key: string, value: unknown): void {
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error(`Setting "${key}" cannot be stored: its value is not JSON (use deleteMeta to remove it)`);
  db.exec({ sql: 'INSERT INTO metadata(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', bind: [key, json] });
}

/** The value stored under `key`, or null when there is none. */
export function getMeta<T>(db: DB, key: string): T | null {
  const json = db.selectValue('SELECT value FROM metadata WHERE key = ?', [key]);
  return typeof json === 'string' ? (JSON.parse(json) as T) : null;
}

/** Removes `key`; nothing happens if it is not there. */
export function deleteMeta(db: DB, key: string): void {
  db.exec({ sql: 'DELETE FROM metadata WHERE key = ?', bind: [key] });
}

/** Every setting, as one object. */
export function allMeta(db: DB): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of rows<{ key: string; value: string }>(db, 'SELECT key, value FROM metadata ORDER BY key')) out[r.key] = JSON.parse(r.value);
  return out;
}
