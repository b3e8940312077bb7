import { db } from './client';
import type { ConsoleResult } from '../lib/types';
import { DEFAULT_DEADLINE_MS, MAX_ROWS } from '../lib/types';
import { toCsv } from '../lib/csv';
import { errorText } from '../lib/error-text';

/** Rows shown per page of results. */
export const PAGE_ROWS = 100;

/** The read-only SQL console of Settings → Data: one query, its current page of rows, CSV out. */
class SqlConsoleState {
  #sql = $state('SELECT name, url, interval_ms FROM endpoints');
  #page = $state(0);
  #result = $state.raw<ConsoleResult | null>(null);
  #error = $state<string | null>(null);
  #running = $state(false);
  #deadlineS = $state(DEFAULT_DEADLINE_MS / 1000);

  readonly sql = $derived(this.#sql);
  readonly page = $derived(this.#page);
  readonly result = $derived(this.#result);
  readonly error = $derived(this.#error);
  readonly running = $derived(this.#running);
  /** How long a query may run before SQLite is told to stop it, in seconds. */
  readonly deadlineS = $derived(this.#deadlineS);

  setSql(sql: string): void {
    this.#sql = sql;
  }

  setDeadline(seconds: number): void {
    if (Number.isFinite(seconds)) this.#deadlineS = Math.min(120, Math.max(0.5, seconds));
  }

  /** Runs the query from its first page (or the given one). */
  async run(page = 0): Promise<void> {
    await this.#act(async () => {
      this.#result = await db.runQuery({ sql: this.#sql, offset: page * PAGE_ROWS, limit: PAGE_ROWS, deadlineMs: this.#deadlineS * 1000 });
      this.#page = page;
    });
  }

  /** The whole result (up to MAX_ROWS rows) as CSV text, or null when the query failed (see `error`). */
  async csv(): Promise<string | null> {
    let text: string | null = null;
    await this.#act(async () => {
      const all = await db.runQuery({ sql: this.#sql, limit: MAX_ROWS, deadlineMs: this.#deadlineS * 1000 });
      if (all.more) throw new Error(`The result has more than ${MAX_ROWS} rows: add a LIMIT or a narrower WHERE to download it.`);
      text = toCsv(all.columns, all.rows);
    });
    return text;
  }

  async #act(fn: () => Promise<void>): Promise<void> {
    this.#running = true;
    this.#error = null;
    try {
      await fn();
    } catch (e) {
      this.#error = errorText(e);
    } finally {
      this.#running = false;
    }
  }
}

export const sqlConsole = new SqlConsoleState();
