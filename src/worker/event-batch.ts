import type { DbEvent } from '../lib/types';

/**
 * How long a poll's own events (status changes, request records) wait for a 'frames' event, which the
 * frame queue sends once per tick (ms); they wait longer only where no frames follow at all.
 */
const TICK_WAIT_MS = 2000;

/** Events that come from the polls and travel with their tick's 'frames' event. */
const PER_TICK = new Set<DbEvent['type']>(['status', 'requests']);

/**
 * One batch as the page needs it: the 'requests' notices (the fast reads write every 250 ms) merged into
 * one naming every endpoint, and of several statuses of one endpoint only the last; everything else as
 * it came, in order.
 */
export function coalesceEvents(batch: DbEvent[]): DbEvent[] {
  const lastStatus = new Map<number, DbEvent>();
  for (const ev of batch) if (ev.type === 'status') lastStatus.set(ev.status.endpointId, ev);
  const out: DbEvent[] = [];
  let requests: Extract<DbEvent, { type: 'requests' }> | null = null;
  for (const ev of batch) {
    if (ev.type === 'status' && lastStatus.get(ev.status.endpointId) !== ev) continue;
    if (ev.type === 'requests') {
      if (requests) {
        for (const id of ev.endpointIds) if (!requests.endpointIds.includes(id)) requests.endpointIds.push(id);
        continue;
      }
      requests = { type: 'requests', endpointIds: [...ev.endpointIds] };
      out.push(requests);
      continue;
    }
    out.push(ev);
  }
  return out;
}

/**
 * Hands events on in batches (to a page on its port, to the other tabs on their channel): a poll tick's
 * status changes, its request records and its 'frames' event (which ends the tick) go as one batch,
 * however many endpoints there are. Any other event (a change the user made, the database's state) goes
 * at once, with whatever is waiting.
 */
export function eventBatcher(post: (batch: DbEvent[]) => void): (ev: DbEvent) => void {
  let queued: DbEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const send = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = queued;
    queued = [];
    if (batch.length > 0) post(coalesceEvents(batch));
  };
  return (ev) => {
    queued.push(ev);
    if (!PER_TICK.has(ev.type)) send();
    else timer ??= setTimeout(send, TICK_WAIT_MS);
  };
}
