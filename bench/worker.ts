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
      pageSize: Number(probe.selectValue('PRAGMA page_size')),
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
  /** Ticks on OPFS, with the OPFS calls they make counted and timed: the storage's share of a tick. */
  async tickOpfs(): Promise<Results> {
    const e = await env();
    const io = countSyncAccess();
    try {
      const r = tickWorkload(e, 'bench-tick.sqlite3', io.mark);
      return { ...r, ...io.perTick() };
    } finally {
      io.restore();
    }
  },
  /** The same ticks on an in-memory database: sqlite-wasm without OPFS. */
  async tickMemory(): Promise<Results> {
    const sqlite3 = await loadSqlite();
    const memory: BenchEnv = { open: () => new sqlite3.oo1.DB(':memory:', 'c') as DB, drop: (db) => db.close(), now: () => performance.now() };
    const r = tickWorkload(memory, ':memory:');
    return { 'tick.1.memory': r['tick.1.fresh'], 'commit.memory': r.commit };
  },
  logs: () => logs.splice(0),
};

/**
 * Counts and times the OPFS sync access handle calls (what opfs-sahpool's xWrite, xRead, xSync... make)
 * between mark('start') and mark('end'), by wrapping the prototype's methods for the duration.
 */
function countSyncAccess() {
  const proto = (globalThis as unknown as { FileSystemSyncAccessHandle: { prototype: Record<string, (...a: unknown[]) => unknown> } }).FileSystemSyncAccessHandle.prototype;
  const names = ['write', 'read', 'flush', 'getSize', 'truncate'];
  const saved = new Map(names.map((n) => [n, proto[n]]));
  const calls = new Map(names.map((n) => [n, 0]));
  const ms = new Map(names.map((n) => [n, 0]));
  let on = false;
  let ticks = 0;
  for (const n of names) {
    const orig = saved.get(n)!;
    proto[n] = function (this: unknown, ...a: unknown[]) {
      if (!on) return orig.apply(this, a);
      const t = performance.now();
      try {
        return orig.apply(this, a);
      } finally {
        ms.set(n, ms.get(n)! + performance.now() - t);
        calls.set(n, calls.get(n)! + 1);
      }
    };
  }
  return {
    mark(what: 'start' | 'end', n = 0) { on = what === 'start'; ticks += n; },
    perTick(): Results {
      const r: Results = {};
      for (const n of names) {
        if (!calls.get(n)) continue;
        r[`tick.1.opfs.${n}.calls`] = calls.get(n)! / ticks;
        r[`tick.1.opfs.${n}.ms`] = ms.get(n)! / ticks;
      }
      return r;
    },
    restore() { for (const [n, f] of saved) proto[n] = f; },
  };
}

export type BenchApi = typeof api;
Comlink.expose(api);
