/**
 * The browser side of the benchmark: a dedicated module worker that opens sqlite-wasm on OPFS through
 * the app's own open.ts (opfs-sahpool, exclusive locking, WAL, synchronous=NORMAL: what the app's worker
 * does) and runs bench/workload.ts on it, in-thread like the app's worker runs src/db/*.
 */
import * as Comlink from 'comlink';
import type { DB } from '../src/db/sql';
import { loadSqlite, openOpfs, tuneConnection, type DbHandle } from '../src/db/open';
import { mainWorkload, modelsWorkload, sizeWorkload, tickWorkload, type BenchEnv, type Results } from './workload';

let handle: DbHandle | null = null;
const logs: string[] = [];
/** What opening the database costs in a fresh worker: sqlite-wasm's load and init, then the OPFS pool. */
const startup: Results = {};

async function env(): Promise<BenchEnv> {
  if (!handle) {
    const t0 = performance.now();
    const sqlite3 = await loadSqlite();
    const t1 = performance.now();
    handle = await openOpfs(sqlite3);
    startup['startup.sqliteInit'] = t1 - t0;
    startup['startup.opfsOpen'] = performance.now() - t1;
  }
  const pool = handle.pool!;
  // Each benchmark database takes two pool slots (file and WAL) beside the app's own.
  await pool.reserveMinimumCapacity(12);
  return {
    open(name) {
      const db = new pool.OpfsSAHPoolDb(`/${name}`) as DB;
      tuneConnection(db);
      return db;
    },
    drop(db, name) {
      db.close();
      pool.unlink(`/${name}`);
      pool.unlink(`/${name}-wal`);
    },
    now: () => performance.now(),
  };
}

const api = {
  async info(): Promise<Results> {
    const e = await env();
    const probe = e.open('bench-probe.sqlite3');
    const r = {
      sqliteVersion: String(probe.selectValue('SELECT sqlite_version()')),
      journalMode: String(probe.selectValue('PRAGMA journal_mode')),
      storage: handle!.storage,
      crossOriginIsolated: String(globalThis.crossOriginIsolated),
      ...startup,
    };
    e.drop(probe, 'bench-probe.sqlite3');
    return r;
  },
  main: async () => mainWorkload(await env(), (s) => logs.push(s)),
  size: async () => sizeWorkload(await env()),
  models: async () => modelsWorkload(await env()),
  tickOpfs: async () => tickWorkload(await env(), 'bench-tick.sqlite3'),
  /** The same ticks on an in-memory database: sqlite-wasm without OPFS. */
  async tickMemory(): Promise<Results> {
    const sqlite3 = await loadSqlite();
    const memory: BenchEnv = { open: () => new sqlite3.oo1.DB(':memory:', 'c') as DB, drop: (db) => db.close(), now: () => performance.now() };
    const r = tickWorkload(memory, ':memory:');
    return { 'tick.1.memory': r['tick.1.fresh'], 'commit.memory': r.commit };
  },
  logs: () => logs.splice(0),
};

export type BenchApi = typeof api;
Comlink.expose(api);
