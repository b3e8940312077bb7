/**
 * Tabs in one Node process for the ownership protocol: Node has BroadcastChannel and MessageChannel but no
 * navigator.locks, so an in-memory lock manager stands in, and a tab "dies" the way a closed or crashed
 * browser tab does: its timers stop, its channels close and its lock is released, with no goodbye.
 */
import type { Sqlite3Static } from '@sqlite.org/sqlite-wasm';
import { createApi } from '../../../src/worker/api';
import type { CollectorFactory } from '../../../src/worker/services';
import { createSession } from '../../../src/worker/session';
import type { LockManagerLike, TabEnv } from '../../../src/worker/tab-link';
import type { DbEvent } from '../../../src/lib/types';

/** A lock manager with Web Locks' queueing: one holder per name, the rest served in request order. */
export function memoryLocks() {
  const waiting: { tab: string; grant: () => void }[] = [];
  let holder: string | null = null;
  function next(): void {
    if (holder !== null || waiting.length === 0) return;
    const w = waiting.shift()!;
    holder = w.tab;
    w.grant();
  }
  return {
    holder: () => holder,
    forTab(tab: string): LockManagerLike {
      return {
        request: (_name, callback) => new Promise((resolve, reject) => {
          waiting.push({
            tab,
            grant: () => callback().then(resolve, reject).finally(() => {
              if (holder === tab) {
                holder = null;
                next();
              }
            }),
          });
          next();
        }),
      };
    },
    /** What the browser does when a tab goes away: its lock and its place in the queue are gone. */
    drop(tab: string): void {
      for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i].tab === tab) waiting.splice(i, 1);
      if (holder === tab) {
        holder = null;
        next();
      }
    },
  };
}

let fileSeq = 0;

/** A world of tabs sharing one lock manager and one in-memory database file (what OPFS is to a browser). */
export function tabWorld(opts: { collector?: (tab: string) => CollectorFactory } = {}) {
  const locks = memoryLocks();
  const file = `file:/tabs-${process.pid}-${++fileSeq}.db?vfs=memdb`;
  const tabs: { freeze(): void }[] = [];
  // Keeps the in-memory file alive across owners, as OPFS keeps the real one.
  let keeper: { close(): void } | null = null;

  /** Opens a tab; `build` stands for the deploy it was loaded from (one build unless a test says). */
  function open(tabId: string, build?: string) {
    const channels: { close(): void }[] = [];
    const timers = new Set<ReturnType<typeof setInterval>>();
    /** Until when this tab's timers are held back, as a browser throttles a background tab's. */
    let heldUntil = 0;
    const env: TabEnv = {
      tabId,
      locks: locks.forTab(tabId),
      channel: (name) => {
        const c = new BroadcastChannel(name) as unknown as ReturnType<TabEnv['channel']>;
        channels.push(c);
        return c;
      },
      every: (ms, fn) => {
        const t = setInterval(() => {
          if (Date.now() >= heldUntil) fn();
        }, ms);
        timers.add(t);
        return () => {
          clearInterval(t);
          timers.delete(t);
        };
      },
      now: Date.now,
    };
    const api = createApi({
      storage: 'memory',
      retentionEveryMs: 0,
      collector: opts.collector?.(tabId),
      memory: (sqlite3: Sqlite3Static) => {
        keeper ??= new sqlite3.oo1.DB(file, 'c');
        return { sqlite3, db: new sqlite3.oo1.DB(file, 'c'), storage: 'memory', pool: null };
      },
    });
    const session = createSession({ env, api, heartbeatMs: 50, staleMs: 400, callTimeoutMs: 10_000, build });
    const events: DbEvent[] = [];
    session.subscribe((ev) => events.push(ev));
    const silence = () => {
      for (const t of timers) clearInterval(t);
      timers.clear();
      for (const c of channels) c.close();
    };
    const tab = {
      id: tabId,
      session,
      api,
      events,
      call: <T = unknown>(method: Parameters<typeof session.call>[0], ...args: unknown[]) => session.call(method, args) as Promise<T>,
      /** Closed or crashed: no goodbye, the lock is released by the "browser". */
      die() {
        silence();
        api.close();
        locks.drop(tabId);
      },
      /** Hung: still holds the lock, says nothing. */
      freeze: silence,
      /** Its timers fire not at all for `ms`, then as before (channels still deliver). */
      throttle(ms: number) {
        heldUntil = Date.now() + ms;
      },
    };
    tabs.push(tab);
    return tab;
  }

  return {
    locks,
    open,
    /** Ends every tab (call after each test: open channels keep Node running). */
    closeAll() {
      for (const t of tabs) t.freeze();
      keeper?.close();
    },
  };
}

/** Waits until `check` holds (polling every 20 ms), failing after `ms`. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
