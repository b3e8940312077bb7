import { db } from './client';
import { fleet } from './fleet.svelte';

export { fleet };

/**
 * Starts the Fleet page's refresh loop. The endpoints it reads (and any named in the page URL, e.g.
 * ?prometheus=) are connected by the composition root (state/root.ts).
 */
export function startFleet(): void {
  fleet.start(db);
}
