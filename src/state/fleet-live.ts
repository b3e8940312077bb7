import { db } from '../db/client';
import { startDashboard } from './endpoints.svelte';
import { fleet } from './fleet.svelte';

export { fleet };

/**
 * Wires the Fleet page: the endpoints (shared with the dashboard, including any named in the page URL,
 * e.g. ?prometheus=), then the fleet's refresh loop. Call whenever the database becomes ready.
 */
export async function startFleet(search: string): Promise<void> {
  await startDashboard(search);
  fleet.start(db);
}
