import { db, onDbEvent } from './client';
import { endpoints, startDashboard } from './endpoints.svelte';
import { ModelsState } from './models.svelte';

/** The page's model configurations; linked ones read their status from the endpoints state. */
export const models = new ModelsState((id) => endpoints.status(id));

let stopListening: (() => void) | null = null;

/**
 * Wires the Models page to the worker: endpoint statuses (shared with the dashboard), then the
 * configurations, re-read whenever any tab changes them. Call whenever the database becomes ready.
 */
export async function startModels(): Promise<void> {
  stopListening ??= onDbEvent((ev) => {
    if (ev.type === 'models') void models.refresh();
  });
  await Promise.all([startDashboard(''), models.connect(db)]);
}
