/**
 * The workload on native SQLite (better-sqlite3, installed into bench/node_modules by run.mjs) in
 * Node, on files in a temporary directory tuned like the app's database. Bundled by run.mjs with
 * esbuild; prints the results as one JSON line.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { oo1Like, type NativeDatabase } from './native-db';
import { mainWorkload, modelsWorkload, sizeWorkload, tickWorkload, type BenchEnv } from './workload';

const require = createRequire(process.env.BENCH_NATIVE_FROM ?? import.meta.url);
const Database = require('better-sqlite3') as new (file: string) => NativeDatabase;
const dir = mkdtempSync(join(tmpdir(), 'llama-dash-bench-'));
const natives = new Map<unknown, NativeDatabase>();
/** sqlite-wasm's page size (its build's SQLITE_DEFAULT_PAGE_SIZE); run.mjs checks both sides report the same. */
const PAGE_SIZE = 8192;

const env: BenchEnv = {
  open(name) {
    const native = new Database(join(dir, name));
    const db = oo1Like(native);
    // The same file as the browser's: sqlite-wasm is built with 8 KiB pages and no foreign keys,
    // better-sqlite3 with 4 KiB and foreign keys on. A tick writes ~3 pages, so half-size pages made
    // the native side do less I/O than the browser's for the same SQL.
    db.exec(`PRAGMA page_size=${PAGE_SIZE}`);
    db.exec('PRAGMA foreign_keys=OFF');
    db.exec('PRAGMA locking_mode=EXCLUSIVE');
    db.selectValue('PRAGMA journal_mode=WAL');
    db.exec('PRAGMA synchronous=NORMAL');
    natives.set(db, native);
    return db;
  },
  drop(db, name) {
    natives.get(db)?.close();
    rmSync(join(dir, name), { force: true });
    rmSync(join(dir, `${name}-wal`), { force: true });
  },
  now: () => performance.now(),
};

try {
  const version = String(oo1Like(new Database(':memory:')).selectValue('SELECT sqlite_version()'));
  const probe = env.open('bench-probe.sqlite3');
  const pageSize = Number(probe.selectValue('PRAGMA page_size'));
  env.drop(probe, 'bench-probe.sqlite3');
  const results = {
    sqliteVersion: version,
    pageSize,
    ...mainWorkload(env, (s) => process.stderr.write(`  native: ${s}\n`)),
    ...sizeWorkload(env),
    ...modelsWorkload(env),
    ...tickWorkload(env, 'bench-tick.sqlite3'),
  };
  process.stdout.write(`${JSON.stringify(results)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
