/** Applied write ids (see schema-rpc.ts): what lets a write sent twice across an owner change apply once. */
import type { DB } from './sql';

/** How long an applied write id is remembered: far longer than any retry of a call in flight. */
export const WRITE_ID_KEEP_MS = 10 * 60_000;

/** The stored result of a write already applied under this id (`{ result }`), or null when it is new. */
export function appliedWrite(db: DB, id: string): { result: unknown } | null {
  const text = db.selectValue('SELECT result FROM rpc_writes WHERE id = ?', [id]);
  if (text === undefined) return null;
  const parsed = JSON.parse(String(text)) as { r?: unknown };
  return { result: parsed.r };
}

/** Records a write as applied; call inside the write's own transaction. */
export function recordWrite(db: DB, id: string, at: number, result: unknown): void {
  // Wrapped, so that a write that returns nothing (undefined) round-trips as nothing.
  db.exec({ sql: 'INSERT INTO rpc_writes(id, at, result) VALUES (?, ?, ?)', bind: [id, at, JSON.stringify({ r: result })] });
}

/** Forgets ids older than `before` (ms since epoch); returns how many went. */
export function pruneWrites(db: DB, before: number): number {
  db.exec({ sql: 'DELETE FROM rpc_writes WHERE at < ?', bind: [before] });
  return db.changes();
}
