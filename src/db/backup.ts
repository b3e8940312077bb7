/** Database size, vacuum, export, and the checks an imported file must pass before it may replace ours. */
import type { DbInfo, TableSize } from './types.ts';
import { APP_TABLES, foreignReason, migrate, schemaVersion, SCHEMA_VERSION } from './schema.ts';
import { rows, type DB, type Sqlite3 } from './sql.ts';
import { errorText } from '../lib/error-text.ts';

const MAGIC = 'SQLite format 3\0';

/** Size of the database and of each table (indexes counted with their table), and how it is stored. */
export function dbInfo(db: DB, storage: DbInfo['storage']): DbInfo {
  const pageSize = Number(db.selectValue('PRAGMA page_size'));
  const tables = rows<{ name: string }>(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((r) => r.name);
  // dbstat is compiled into sqlite-wasm (checked by a test); it gives the real bytes per b-tree.
  const bytes = new Map<string, number>();
  for (const r of rows<{ tbl: string; bytes: number }>(db, `SELECT coalesce(s.tbl_name, d.name) AS tbl, sum(d.pgsize) AS bytes
      FROM dbstat d LEFT JOIN sqlite_schema s ON s.name = d.name GROUP BY tbl`)) bytes.set(r.tbl, r.bytes);
  const sizes: TableSize[] = tables.map((name) => ({
    name,
    bytes: bytes.get(name) ?? 0,
    rows: Number(db.selectValue(`SELECT count(*) FROM "${name.replace(/"/g, '""')}"`)),
  }));
  return {
    storage,
    schemaVersion: schemaVersion(db),
    sqliteVersion: String(db.selectValue('SELECT sqlite_version()')),
    journalMode: String(db.selectValue('PRAGMA journal_mode')),
    totalBytes: Number(db.selectValue('PRAGMA page_count')) * pageSize,
    tables: sizes,
  };
}

/** Rebuilds the file without free pages; returns the sizes before and after, in bytes. */
export function vacuum(db: DB): { before: number; after: number } {
  const size = () => Number(db.selectValue('PRAGMA page_count')) * Number(db.selectValue('PRAGMA page_size'));
  const before = size();
  db.exec('VACUUM');
  return { before, after: size() };
}

/**
 * Marks an image as a plain rollback-journal file. A WAL database's image says "WAL" in its header
 * (bytes 18-19); as a standalone download (or an in-memory copy, which cannot do WAL) it must not.
 */
function asRollbackImage(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 20 && (bytes[18] === 2 || bytes[19] === 2)) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return bytes;
}

/** The whole database as one SQLite file, openable by any SQLite tool. */
export function exportImage(sqlite3: Sqlite3, db: DB): Uint8Array {
  return asRollbackImage(sqlite3.capi.sqlite3_js_db_export(db));
}

function openImage(sqlite3: Sqlite3, bytes: Uint8Array): DB {
  const copy = new sqlite3.oo1.DB(':memory:', 'c');
  try {
    const p = sqlite3.wasm.allocFromTypedArray(bytes);
    const { capi } = sqlite3;
    const rc = capi.sqlite3_deserialize(copy.pointer!, 'main', p, bytes.byteLength, bytes.byteLength,
      capi.SQLITE_DESERIALIZE_FREEONCLOSE | capi.SQLITE_DESERIALIZE_RESIZEABLE);
    copy.checkRc(rc);
    return copy;
  } catch (e) {
    copy.close();
    throw e;
  }
}

export type ImageCheck =
  | { ok: true; message: string; version: number; image: Uint8Array }
  | { ok: false; message: string; version?: number };

/**
 * Decides whether `bytes` may replace the database, without touching the live one: a SQLite file,
 * intact, of this app, not newer than this build. An older one is migrated (in a copy) and the
 * migrated image returned. Every refusal says why in words a user can act on.
 */
export function checkImage(sqlite3: Sqlite3, bytes: Uint8Array): ImageCheck {
  if (bytes.length < 100 || String.fromCharCode(...bytes.subarray(0, 16)) !== MAGIC) {
    return { ok: false, message: 'This file is not a SQLite database: choose a .sqlite3 file exported by Llama Dashboard' };
  }
  const pageSize = ((bytes[16] << 8) | bytes[17]) === 1 ? 65536 : (bytes[16] << 8) | bytes[17];
  const u32 = (at: number) => ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  // The header's page count is only valid when its "version-valid-for" matches the change counter.
  const pages = u32(92) === u32(24) ? u32(28) : 0;
  if (pageSize >= 512 && pages > 0 && bytes.length < pageSize * pages) {
    return { ok: false, message: `This file is truncated or damaged: it should hold ${pages * pageSize} bytes but has ${bytes.length}. Export it again from the original.` };
  }
  let copy: DB | null = null;
  try {
    copy = openImage(sqlite3, asRollbackImage(bytes.slice()));
    const problems = copy.selectValues('PRAGMA integrity_check(5)').map((p) => String(p).replace(/^\*\*\* in database \w+ \*\*\*\s*/, '').trim());
    if (problems.length !== 1 || problems[0] !== 'ok') {
      return { ok: false, message: `This file is truncated or damaged: integrity check says ${problems.join('; ')}` };
    }
    const version = schemaVersion(copy);
    const foreign = foreignReason(copy);
    if (foreign) return { ok: false, message: `This file ${foreign}: it is not a Llama Dashboard database`, version };
    if (version > SCHEMA_VERSION) {
      return { ok: false, message: `This file was made by a newer Llama Dashboard (schema ${version}, this one knows ${SCHEMA_VERSION}): update the app, then import it again`, version };
    }
    if (version === 0) return { ok: false, message: 'This SQLite file is empty: it holds no Llama Dashboard data', version };
    migrate(copy);
    const have = new Set(copy.selectValues("SELECT name FROM sqlite_schema WHERE type = 'table'").map(String));
    const missing = APP_TABLES.filter((t) => !have.has(t));
    if (missing.length) return { ok: false, message: `This file is damaged: it lacks the tables ${missing.join(', ')}`, version };
    const image = version === SCHEMA_VERSION ? asRollbackImage(bytes.slice()) : exportImage(sqlite3, copy);
    const message = version === SCHEMA_VERSION
      ? 'The file is a valid Llama Dashboard database'
      : `The file came from an older Llama Dashboard (schema ${version}) and was upgraded to schema ${SCHEMA_VERSION}`;
    return { ok: true, message, version, image };
  } catch (e) {
    return { ok: false, message: `This file is truncated or damaged: SQLite says ${errorText(e)}` };
  } finally {
    copy?.close();
  }
}
