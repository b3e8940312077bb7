/** Database size and vacuum; export and import of whole files live in export-image.ts and import-image.ts. */
import type { DbInfo, TableSize } from '../lib/types';
import { schemaVersion } from './schema';
import { rows, type DB } from './sql';

export { exportFile, exportImage } from './export-image';
export { readImport as checkImage, type ImageCheck } from './import-image';

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
