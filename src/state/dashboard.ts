import { db, onDbEvent } from '../db/client';
import { endpoints } from './endpoints.svelte';
import { metrics } from './metrics.svelte';

// Kept apart from the state classes (loaded on demand by startDashboard in endpoints.svelte.ts) so those
// load in Node tests without starting a worker.

let stopListening: (() => void) | null = null;

/**
 * Wires the dashboard to the worker: events to the states, first reads, and the endpoints named in the page
 * URL. Call whenever the database becomes ready in this tab (again after a hand-over from another tab).
 */
export async function wireDashboard(search: string): Promise<void> {
  stopListening ??= onDbEvent((ev) => {
    if (ev.type === 'frames') void metrics.onFrames(ev.endpointIds, ev.ts, ev.backfilled);
    else if (ev.type === 'history-reset') void metrics.onHistoryReset();
    else if (ev.type === 'status') {
      const before = endpoints.status(ev.status.endpointId)?.state;
      endpoints.applyStatus(ev.status);
      // Down/up and restarts are stored as events: re-read the markers when the state flips.
      if (before !== ev.status.state) void metrics.refreshEvents(ev.status.endpointId);
    } else if (ev.type === 'endpoints') void endpoints.refresh();
  });
  metrics.connect(db);
  await endpoints.connect(db);
  await endpoints.addFromQuery(search);
}
