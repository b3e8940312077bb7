import { db } from './client';
import type { DbInfo, DbStatus, ImportResult } from '../lib/types';
import { errorText } from '../lib/error-text';
import { act } from './act';

/** A long database operation the Settings page shows progress for. */
export type DbTask = 'vacuum' | 'export' | 'import' | 'clear' | 'info' | 'reload';

/** The database as the page sees it: status, sizes, and the maintenance actions. */
class DatabaseState {
  #status = $state<DbStatus>({ state: 'starting', storage: null, message: null });
  #info = $state.raw<DbInfo | null>(null);
  #task = $state<DbTask | null>(null);
  #error = $state<string | null>(null);
  /** True once the database answered: a later owner change or silence only pauses it (calls wait). */
  #opened = $state(false);
  #readyWaiters: (() => void)[] = [];
  #started = false;

  readonly status = $derived(this.#status);
  readonly ready = $derived(this.#opened && this.#status.state !== 'error');
  readonly info = $derived(this.#info);
  /** The operation running now, or null. */
  readonly task = $derived(this.#task);
  /** The last operation's failure, in words, or null. */
  readonly error = $derived(this.#error);

  /** Opens the database in the worker; call once at startup. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    // Test hook for the e2e suite (tests/e2e/helpers.ts) and the benchmark: only a `--mode test` build
    // has it; the constant folds to false in the default build, which therefore ships no hook.
    if (import.meta.env.MODE === 'test') (globalThis as { __llamaDash?: unknown }).__llamaDash = { db };
    db.init().then(
      (s) => this.#setStatus(s),
      (e: unknown) => this.#setStatus({ state: 'error', storage: null, message: `The database worker failed to start: ${errorText(e)}` }),
    );
  }

  /** Resolves once the database answers this tab (its own, or another tab's through the owner). */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  async refreshInfo(): Promise<void> {
    await this.#run('info', async () => (this.#info = await db.dbInfo()));
  }

  /** Reloads every tab of the dashboard, this one included (after a deploy, so that all run one version). */
  async reloadEveryTab(): Promise<void> {
    await this.#run('reload', () => db.reloadEveryTab());
  }

  async vacuum(): Promise<void> {
    await this.#run('vacuum', async () => {
      await db.vacuum();
      this.#info = await db.dbInfo();
    });
  }

  /** The whole database as a file, API keys and secret arguments only when asked; null when it failed (see `error`). */
  async exportFile(includeSecrets: boolean): Promise<Uint8Array | null> {
    return this.#run('export', () => db.exportDatabase(includeSecrets));
  }

  /** Replaces the database with a checked file; the result says why a file was refused. */
  async importFile(file: Blob): Promise<ImportResult | null> {
    return this.#run('import', async () => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const result = await db.importDatabase(bytes);
      if (result.ok) this.#info = await db.dbInfo();
      return result;
    });
  }

  async clearMetrics(): Promise<void> {
    await this.#run('clear', async () => {
      await db.clearMetrics();
      this.#info = await db.dbInfo();
    });
  }

  /** A status pushed by the worker (routed by src/state/root.ts). */
  applyStatus(s: DbStatus): void {
    this.#setStatus(s);
  }

  #setStatus(s: DbStatus): void {
    this.#status = s;
    if (s.state === 'ready') {
      this.#opened = true;
      for (const w of this.#readyWaiters.splice(0)) w();
    }
  }

  async #run<T>(task: DbTask, fn: () => Promise<T> | T): Promise<T | null> {
    this.#task = task;
    this.#error = null;
    try {
      return await act((e) => (this.#error = e), fn);
    } finally {
      this.#task = null;
    }
  }
}

/** The page's single view of the database. */
export const database = new DatabaseState();
