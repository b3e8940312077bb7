import type { DbEvent } from '../lib/types';
import type { RpcApi, RpcMethod } from './api';
import type { Session } from './session';
import { eventBatcher } from './event-batch';

/** Every RPC method as the page sees it: the same arguments, the answer always behind a Promise. */
type Routed = { [K in RpcMethod]: (...args: Parameters<RpcApi[K]>) => Promise<Awaited<ReturnType<RpcApi[K]>>> };

const CONTROL = new Set<string>(['init', 'status', 'close', 'subscribe', 'applyWrite']);

/**
 * What a hidden page is not sent: it draws nothing then, and reads the charts and statuses again when it
 * shows, so each tick would only cost both threads a message (collection and storage go on).
 */
const QUIET_WHILE_HIDDEN = new Set<DbEvent['type']>(['frames', 'status']);

/**
 * What the worker exposes to its page: the session (joining the tabs, status, events) and every RPC
 * method, each run on this tab's database when it owns it or sent to the owning tab otherwise.
 */
export function createSurface(session: Session, api: RpcApi) {
  const routed: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(api)) {
    if (!CONTROL.has(name)) routed[name] = (...args) => session.call(name as RpcMethod, args);
  }
  let pageHidden = false;
  return {
    ...(routed as Routed),
    init: () => session.init(),
    status: () => session.status(),
    /** Reloads every tab of the dashboard (after a deploy, so that all run one version). */
    reloadEveryTab: () => session.reloadEveryTab(),
    /** Sends this tab's events, in batches, on `port` (transferred from the page) for the page's life. */
    subscribe: (port: MessagePort) => {
      const batch = eventBatcher((evs) => port.postMessage(evs));
      void session.subscribe((ev) => {
        if (!(pageHidden && QUIET_WHILE_HIDDEN.has(ev.type))) batch(ev);
      });
    },
    /** The page was hidden or shown: see QUIET_WHILE_HIDDEN. */
    setPageHidden: (hidden: boolean) => {
      pageHidden = hidden;
    },
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
