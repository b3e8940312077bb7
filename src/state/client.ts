import * as Comlink from 'comlink';
import type { DbApi } from '../worker/surface';
import type { DbEvent } from '../lib/types';
import { HISTORY_WIRE, historyTransfer } from '../lib/history-wire';

// Chart answers arrive packed in one transferred buffer (lib/history-wire.ts); unpacked here as the charts take them.
Comlink.transferHandlers.set(HISTORY_WIRE, historyTransfer as Comlink.TransferHandler<unknown, unknown>);

let remote: Comlink.Remote<DbApi> | null = null;

/** Starts the worker on first use, so importing a state module (in Node tests too) starts nothing. */
function worker(): Comlink.Remote<DbApi> {
  remote ??= Comlink.wrap<DbApi>(new Worker(new URL('../worker/main.ts', import.meta.url), { type: 'module' }));
  return remote;
}

/**
 * Starts the database worker now. main.ts calls it before mounting the page, so the worker's script,
 * sqlite3.wasm and the OPFS open run while the page's components are built instead of after.
 */
export function startWorker(): void {
  worker();
}

/** The database API, running in this tab's worker (which reaches the owning tab); every call returns a Promise. */
export const db = new Proxy({} as Comlink.Remote<DbApi>, {
  // Not a thenable: `await db` must not look like a call.
  get: (_, name) => name === 'then' ? undefined : (...args: unknown[]) =>
    (worker() as unknown as Record<string | symbol, (...a: unknown[]) => Promise<unknown>>)[name](...args),
});

const listeners = new Set<(ev: DbEvent) => void>();
let subscribed = false;

/**
 * Listens to DbEvents from the worker. They arrive in batches (one message per poll tick) on a port of
 * their own, shared by every listener in the page. Returns the function that stops listening.
 */
export function onDbEvent(cb: (ev: DbEvent) => void): () => void {
  listeners.add(cb);
  if (!subscribed) {
    subscribed = true;
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = (e: MessageEvent<DbEvent[]>) => {
      for (const ev of e.data) for (const l of listeners) l(ev);
    };
    void db.subscribe(Comlink.transfer(port2, [port2]));
  }
  return () => listeners.delete(cb);
}
