/**
 * Says in words what a failed database write means for the user and what to do. SQLite reports a
 * full disk or an exhausted browser storage quota as SQLITE_FULL; OPFS failures below it surface
 * as SQLITE_IOERR. Other messages (validation, constraint errors) are already in words: kept as is.
 */
export function explainStorageError(message: string): string {
  if (/SQLITE_FULL|database or disk is full|QuotaExceeded|quota/i.test(message)) {
    return 'The browser has no room left for this site\'s data (the disk is full or the storage quota ' +
      'is reached), so this change was not saved; everything saved before is intact. Free space on the ' +
      'disk, or clear old history in Settings → Database (Clear metrics, then Vacuum).';
  }
  if (/SQLITE_IOERR|disk I\/O error/i.test(message)) {
    return 'The browser could not write the database file (disk I/O error), so this change was not ' +
      'saved; everything saved before is intact. Reload the page; if it keeps happening, export the ' +
      'database from Settings → Database and check the disk.';
  }
  return message;
}
