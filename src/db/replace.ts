import type { DbHandle } from './open';

/**
 * Copies a checked SQLite image over the live database with SQLite's backup API. The destination
 * changes in one transaction, so a failure part-way leaves the current data as it was; it works the
 * same on OPFS and in memory, with no close and reopen.
 */
export function replaceContents(h: DbHandle, image: Uint8Array): void {
  const { sqlite3, db } = h;
  const { capi } = sqlite3;
  const src = new sqlite3.oo1.DB(':memory:', 'c');
  try {
    const p = sqlite3.wasm.allocFromTypedArray(image);
    src.checkRc(capi.sqlite3_deserialize(src.pointer!, 'main', p, image.byteLength, image.byteLength,
      capi.SQLITE_DESERIALIZE_FREEONCLOSE | capi.SQLITE_DESERIALIZE_RESIZEABLE));
    // A WAL destination refuses a backup from a different page size: make the source match.
    const pageSize = Number(db.selectValue('PRAGMA page_size'));
    if (Number(src.selectValue('PRAGMA page_size')) !== pageSize) {
      src.exec(`PRAGMA journal_mode=DELETE; PRAGMA page_size=${pageSize}; VACUUM`);
    }
    const b = capi.sqlite3_backup_init(db.pointer!, 'main', src.pointer!, 'main');
    if (!b) db.checkRc(capi.sqlite3_errcode(db.pointer!));
    const stepRc = capi.sqlite3_backup_step(b, -1);
    const finishRc = capi.sqlite3_backup_finish(b);
    if (stepRc !== capi.SQLITE_DONE) db.checkRc(stepRc);
    db.checkRc(finishRc);
  } finally {
    src.close();
  }
}
