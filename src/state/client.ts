import * as Comlink from 'comlink';
import type { DbApi } from '../worker/surface';
import type { DbEvent } from '../db/types';

let remote: Comlink.Remote<DbApi> | null = null;

/** Starts the worker on first use, so importing a state module (in Node tests too) starts nothing. */
function worker(): Comlink.Remote<DbApi> {
  remote ??= Comlink.wrap<DbApi>(new Worker(new URL('../worker/main.ts', import.meta.url), { type: 'module' }));
  return remote;
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
 * Listens to DbEvents from the worker. One Comlink subscription is shared by every listener in the
 * page, so state classes can subscribe freely. Returns the function that stops listening.
 */
export function onDbEvent(cb: (ev: DbEvent) => void): () => void {
  listeners.add(cb);
  if (!subscribed) {
    subscribed = true;
    void db.subscribe(Comlink.proxy((ev: DbEvent) => {
      for (const l of listeners) l(ev);
    }));
  }
  return () => listeners.delete(cb);
}
