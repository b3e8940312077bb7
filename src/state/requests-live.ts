import { db, onDbEvent } from './client';
import { requests } from './requests.svelte';

/** While requests run the worker writes every 250 ms: the view re-reads at most this often. */
const REFRESH_MS = 2000;

/**
 * Wires the Requests page to the worker (endpoint names come from the endpoints store, which the
 * composition root connects); re-reads when request rows are written. Returns the function that stops
 * listening (call it when the page closes).
 */
export async function startRequests(): Promise<() => void> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = onDbEvent((ev) => {
    if (ev.type !== 'requests' && ev.type !== 'history-reset') return;
    timer ??= setTimeout(() => {
      timer = null;
      void requests.refresh();
    }, REFRESH_MS);
  });
  await requests.connect(db);
  return () => {
    stop();
    if (timer) clearTimeout(timer);
  };
}
