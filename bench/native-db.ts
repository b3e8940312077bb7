/**
 * The part of sqlite-wasm's oo1.DB that src/db/* uses, over better-sqlite3, so the native run executes
 * the app's own storage functions and therefore the same SQL statements as the browser. Like oo1, every
 * select* call prepares its statement afresh (oo1 has no statement cache), so the two sides do the same
 * work per call.
 */
import type { DB } from '../src/db/sql';

type Bind = unknown[] | undefined;

/** The few better-sqlite3 members used here (its types are not installed: it is a bench-only package). */
interface NativeStatement {
  reader: boolean;
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  raw(on?: boolean): NativeStatement;
  pluck(on?: boolean): NativeStatement;
}
export interface NativeDatabase {
  prepare(sql: string): NativeStatement;
  exec(sql: string): void;
  close(): void;
}

const args = (bind: Bind): unknown[] => (bind === undefined ? [] : bind);

/** An oo1 prepared statement look-alike: bind, then step or stepReset. */
class Stmt {
  #s: NativeStatement;
  #bind: unknown[] = [];
  #rows: unknown[][] | null = null;
  #row: unknown[] | null = null;
  #names: string[] = [];

  constructor(s: NativeStatement, sql: string) {
    this.#s = s;
    this.#names = s.reader ? (s as unknown as { columns(): { name: string }[] }).columns().map((c) => c.name) : [];
    void sql;
  }

  bind(values: unknown[]): this {
    this.#bind = values;
    return this;
  }

  step(): boolean {
    if (!this.#s.reader) {
      this.#s.run(...this.#bind);
      return false;
    }
    this.#rows ??= this.#s.raw(true).all(...this.#bind) as unknown[][];
    this.#row = this.#rows.shift() ?? null;
    return this.#row !== null;
  }

  get(i: number | object): unknown {
    if (!this.#row) throw new Error('No current row');
    if (typeof i === 'number') return this.#row[i];
    return Object.fromEntries(this.#names.map((n, k) => [n, this.#row![k]]));
  }

  reset(clear = false): this {
    this.#rows = null;
    this.#row = null;
    if (clear) this.#bind = [];
    return this;
  }

  stepReset(): this {
    if (this.#s.reader) this.#s.get(...this.#bind);
    else this.#s.run(...this.#bind);
    return this.reset();
  }

  finalize(): void {
    this.#rows = null;
  }
}

/** Wraps a better-sqlite3 database as the DB type of src/db/sql.ts. */
export function oo1Like(native: NativeDatabase): DB {
  const rowsOf = (sql: string, bind: Bind): unknown[][] => {
    const s = native.prepare(sql);
    if (!s.reader) {
      s.run(...args(bind));
      return [];
    }
    return s.raw(true).all(...args(bind)) as unknown[][];
  };
  let depth = 0;
  const db = {
    exec(q: string | { sql: string; bind?: unknown[] }) {
      if (typeof q === 'string') native.exec(q);
      else if (q.bind === undefined) native.exec(q.sql);
      else native.prepare(q.sql).run(...q.bind);
      return db;
    },
    prepare: (sql: string) => new Stmt(native.prepare(sql), sql),
    selectValue: (sql: string, bind?: unknown[]) => rowsOf(sql, bind)[0]?.[0],
    selectArray: (sql: string, bind?: unknown[]) => rowsOf(sql, bind)[0],
    selectArrays: (sql: string, bind?: unknown[]) => rowsOf(sql, bind),
    selectValues: (sql: string, bind?: unknown[]) => rowsOf(sql, bind).map((r) => r[0]),
    selectObjects: (sql: string, bind?: unknown[]) => native.prepare(sql).all(...args(bind)),
    changes: () => Number(native.prepare('SELECT changes()').pluck(true).get()),
    // oo1's savepoint(): SAVEPOINT, then RELEASE, or ROLLBACK TO and RELEASE on a throw.
    savepoint<T>(fn: (d: unknown) => T): T {
      const name = `oo1_${depth++}`;
      native.exec(`SAVEPOINT ${name}`);
      try {
        const out = fn(db);
        native.exec(`RELEASE ${name}`);
        return out;
      } catch (e) {
        native.exec(`ROLLBACK TO SAVEPOINT ${name}; RELEASE ${name}`);
        throw e;
      } finally {
        depth--;
      }
    },
    isOpen: () => true,
    close: () => native.close(),
  };
  return db as unknown as DB;
}
