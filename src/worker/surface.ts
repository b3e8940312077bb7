import type { DbEvent } from '../lib/types';
import type { RpcApi, RpcMethod } from './api';
import type { Session } from './session';

/** Every RPC method as the page sees it: the same arguments, the answer always behind a Promise. */
type Routed = { [K in RpcMethod]: (...args: Parameters<RpcApi[K]>) => Promise<Awaited<ReturnType<RpcApi[K]>>> };

const CONTROL = new Set<string>(['init', 'status', 'close', 'subscribe', 'applyWrite']);

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
 * Sends events to the page in batches on a port of their own, one way: a poll tick's status changes, its
 * request records and its 'frames' event (which ends the tick) travel as one message, however many
 * endpoints there are. Any other event (a change the user made, the database's state) goes at once, with
 * whatever is waiting.
 */
function batchTo(port: MessagePort): (ev: DbEvent) => void {
  let queued: DbEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const send = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = queued;
    queued = [];
    if (batch.length > 0) port.postMessage(coalesceEvents(batch));
  };
  return (ev) => {
    queued.push(ev);
    if (!PER_TICK.has(ev.type)) send();
    else timer ??= setTimeout(send, TICK_WAIT_MS);
  };
}

/**
 * What the worker exposes to its page: the session (joining the tabs, status, events) and every RPC
 * method, each run on this tab's database when it owns it or sent to the owning tab otherwise.
 */
export function createSurface(session: Session, api: RpcApi) {
  const routed: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(api)) {
    if (!CONTROL.has(name)) routed[name] = (...args) => session.call(name as RpcMethod, args);
  }
  return {
    ...(routed as Routed),
    init: () => session.init(),
    status: () => session.status(),
    /** Reloads every tab of the dashboard (after a deploy, so that all run one version). */
    reloadEveryTab: () => session.reloadEveryTab(),
    /** Sends this tab's events, in batches, on `port` (transferred from the page) for the page's life. */
    subscribe: (port: MessagePort) => void session.subscribe(batchTo(port)),
  };
}

/** The API the worker exposes; the page gets it as Comlink.Remote<DbApi>. */
export type DbApi = ReturnType<typeof createSurface>;

/**
 * The RPC methods a state class needs, as it needs them: answers behind a Promise (the worker) or direct
 * (unit tests hand in the in-thread API).
 */
export type Port<K extends RpcMethod> = {
  [P in K]: (...args: Parameters<RpcApi[P]>) => ReturnType<RpcApi[P]> | Promise<Awaited<ReturnType<RpcApi[P]>>>;
};
