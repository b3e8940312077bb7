import * as Comlink from 'comlink';
import type { DbApi } from './api';
import type { DbEvent } from './types';

/** The database API, running in its own worker; every call returns a Promise. */
export const db = Comlink.wrap<DbApi>(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));

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
