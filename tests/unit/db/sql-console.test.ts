import { beforeEach, describe, expect, it } from 'vitest';
import { freshDb, sqlite } from './helpers';
import { runConsoleQuery } from '../../../src/db/sql-console';
import { addEndpoint } from '../../../src/db/endpoints';
import type { DB, Sqlite3 } from '../../../src/db/sql';

let s: Sqlite3;
let db: DB;
const snapshot = () => ({
  endpoints: db.selectValues('SELECT url FROM endpoints ORDER BY id'),
  version: db.selectValue('PRAGMA user_version'),
  schema: db.selectValue('SELECT count(*) FROM sqlite_schema'),
});

beforeEach(async () => {
  s = await sqlite();
  db = await freshDb();
  for (let i = 0; i < 5; i++) {
    addEndpoint(db, { kind: 'llama', name: `s${i}`, url: `http://127.0.0.1:${8080 + i}`, apiKey: null, intervalMs: 1000, enabled: true });
  }
});

describe('read-only SQL console', () => {
  it('runs a query and pages its rows', () => {
    const first = runConsoleQuery(s, db, { sql: 'SELECT id, url FROM endpoints ORDER BY id', limit: 2 });
    expect(first.columns).toEqual(['id', 'url']);
    expect(first.rows).toEqual([[1, 'http://127.0.0.1:8080'], [2, 'http://127.0.0.1:8081']]);
    expect(first.more).toBe(true);
    const last = runConsoleQuery(s, db, { sql: 'SELECT id FROM endpoints ORDER BY id', offset: 4, limit: 2 });
    expect(last.rows).toEqual([[5]]);
    expect(last.more).toBe(false);
  });

  it('describes blobs instead of shipping them', () => {
    const r = runConsoleQuery(s, db, { sql: "SELECT x'00010203' AS b, NULL AS n" });
    expect(r.rows).toEqual([['<blob, 4 bytes>', null]]);
  });

  it.each([
    ['DELETE FROM endpoints', /only reads/],
    ["UPDATE endpoints SET url = 'http://evil.example'", /only reads/],
    ['CREATE TABLE x(a)', /only reads/],
    ['DROP TABLE endpoints', /only reads/],
    ['PRAGMA user_version = 99', /PRAGMA that sets a value/],
    ["ATTACH ':memory:' AS other", /ATTACH/],
    ['BEGIN', /transactions/],
    ['SAVEPOINT s', /transactions/],
    ['SELECT 1; DELETE FROM endpoints', /one statement/],
  ])('refuses %s and changes nothing', (sql, why) => {
    const before = snapshot();
    expect(() => runConsoleQuery(s, db, { sql })).toThrow(why);
    expect(snapshot()).toEqual(before);
    // The app's own connection is not left in a transaction or with the console's authorizer.
    addEndpoint(db, { kind: 'llama', name: 'after', url: 'http://127.0.0.1:9999', apiKey: null, intervalMs: 1000, enabled: true });
    db.exec('PRAGMA cache_size = -4000');
  });

  it('allows reading PRAGMAs and trailing semicolons or comments', () => {
    expect(runConsoleQuery(s, db, { sql: 'PRAGMA user_version' }).rows[0][0]).toBeGreaterThan(0);
    expect(runConsoleQuery(s, db, { sql: 'SELECT 1; -- done\n;' }).rows).toEqual([[1]]);
  });

  it('stops a runaway query at its deadline and the connection keeps working', () => {
    expect(() => runConsoleQuery(s, db, {
      sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c',
      deadlineMs: 300,
    })).toThrow(/stopped after 0\.3 s/);
    expect(runConsoleQuery(s, db, { sql: 'SELECT count(*) FROM endpoints' }).rows).toEqual([[5]]);
  });

  it('says what SQLite says about a mistake', () => {
    expect(() => runConsoleQuery(s, db, { sql: 'SELEC 1' })).toThrow(/SQLite says: .*syntax error/);
    expect(() => runConsoleQuery(s, db, { sql: '   ' })).toThrow(/Type a query/);
  });
});
