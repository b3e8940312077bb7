import { db, onDbEvent } from './client';
import { fleet } from './fleet.svelte';
import { promCopies, type CopyRequest } from './prom-copies.svelte';
import { PROM_COPIES_KEY } from '../lib/prom-copy';

export { fleet, promCopies };

/**
 * Starts the Fleet page's refresh loop and its list of local copies, re-read when any tab changes them
 * or a database is imported. The endpoints it reads (and any named in the page URL, e.g. ?prometheus=)
 * are connected by the composition root (state/root.ts). Returns the function that stops both.
 */
export function startFleet(): () => void {
  fleet.start(db);
  void promCopies.connect(db);
  const stop = onDbEvent((ev) => {
    if ((ev.type === 'meta' && ev.key === PROM_COPIES_KEY) || ev.type === 'history-reset') void promCopies.refresh();
  });
  return () => {
    stop();
    fleet.stop();
  };
}

/** Keeps a local copy of one instance behind Prometheus endpoint `endpointId` (progress and outcome in promCopies). */
export async function keepCopy(endpointId: number, req: CopyRequest): Promise<void> {
  await promCopies.keep(await fleet.copyReach(endpointId), req);
}
