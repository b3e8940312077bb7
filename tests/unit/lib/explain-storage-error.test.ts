import { describe, expect, it } from 'vitest';
import { explainStorageError } from '../../../src/lib/explain-storage-error';
import { addEndpoint } from '../../../src/db/endpoints';
import { saveFrames } from '../../../src/db/metrics';
import { errorText } from '../../../src/lib/error-text';
import { freshDb } from '../db/helpers';

describe('explainStorageError', () => {
  it('turns a real full-disk failure of sqlite-wasm into what to do, and loses nothing saved before', async () => {
    const db = await freshDb();
    const ep = addEndpoint(db, { kind: 'llama', name: 'a', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true });
    const values = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    saveFrames(db, [{ endpointId: ep.id, ts: 1, values }]);
    // A database that may not grow past its current size fails like a full disk (SQLITE_FULL).
    db.exec(`PRAGMA max_page_count = ${db.selectValue('PRAGMA page_count')}`);
    let failure = '';
    try {
      for (let ts = 2; ts < 10_000; ts++) saveFrames(db, [{ endpointId: ep.id, ts, values }]);
    } catch (e) {
      failure = errorText(e);
    }
    expect(failure).toMatch(/database or disk is full/);
    expect(explainStorageError(failure)).toMatch(/no room left.*Clear metrics, then Vacuum/);
    expect(db.selectValue('SELECT count(*) FROM frames')).toBeGreaterThanOrEqual(1);
    expect(db.selectValue('PRAGMA integrity_check')).toBe('ok');
  });

  it('explains quota and I/O failures, and keeps messages that are already in words', () => {
    expect(explainStorageError('QuotaExceededError: The quota has been exceeded.')).toMatch(/storage quota/);
    expect(explainStorageError('sqlite3 result code 10: SQLITE_IOERR')).toMatch(/could not write the database file/);
    const own = 'A configuration named "Qwen3 8B" already exists: choose another name.';
    expect(explainStorageError(own)).toBe(own);
  });
});
