/**
 * How the dashboard's tabs reach the one database owner. Every browser the dashboard supports (current
 * Chrome, Edge, Firefox, Safari) has Web Locks and BroadcastChannel, in pages and in dedicated workers:
 * - the Web Lock LOCK_NAME is held by the owner's worker; the other tabs' workers queue for it, so when
 *   the owner's tab closes or crashes the browser releases it and the next tab in line takes over;
 * - requests go on the shared channel RPC_CHANNEL (only the owner listens), each reply only on the
 *   asking tab's own channel (a chart series reaches no other tab), and the events (one message per poll
 *   tick) and the owner's heartbeat on EVENTS_CHANNEL to every tab, while any other tab is there: a
 *   follower says hello on RPC_CHANNEL every heartbeat, and a lone owner posts nothing.
 */
import type { DbEvent, DbStatus } from '../lib/types';
import type { RpcMethod } from './api';

/** Web Lock held by the worker that has the database open (opfs-sahpool allows one). */
export const LOCK_NAME = 'llama-dashboard-db';
/** Requests from the tabs to the owner. */
export const RPC_CHANNEL = 'llama-dashboard-rpc';
/** The owner's heartbeat and the events every tab shows. */
export const EVENTS_CHANNEL = 'llama-dashboard-events';
/** The channel only tab `tabId` listens to, for replies to its own calls. */
export const tabChannel = (tabId: string) => `llama-dashboard-tab-${tabId}`;

/**
 * A call from a tab's worker to the owner; a write carries an id so that sending it again applies it once.
 * `build` names the caller's deploy: an owner of another build refuses the call (its methods may differ).
 */
export interface CallMessage {
  t: 'call';
  tab: string;
  build: string;
  seq: number;
  method: RpcMethod;
  args: unknown[];
  writeId?: string;
}

/**
 * A following tab is there: sent when it starts (the owner makes itself known at once) and every
 * heartbeat after, since the owner beats and relays events only while it hears from another tab.
 */
export interface HelloMessage {
  t: 'hello';
  tab: string;
  build: string;
}

export type ToOwner = CallMessage | HelloMessage;

/** The owner's answer, on the asking tab's own channel. */
export type ReplyMessage =
  | { t: 'reply'; seq: number; owner: string; ok: true; value: unknown }
  | { t: 'reply'; seq: number; owner: string; ok: false; error: string };

/** To every tab: the owner is alive (its build, how its database is), events to show (a tick's in one), or reload now. */
export type Broadcast =
  | { t: 'beat'; owner: string; build: string; status: DbStatus }
  | { t: 'events'; owner: string; evs: DbEvent[] }
  | { t: 'reload'; from: string };

/** The part of the Web Locks API the session uses. */
export interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
}

/** The part of BroadcastChannel the session uses. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

/** What a tab's session runs on: the browser's in a worker, injected ones in unit tests. */
export interface TabEnv {
  tabId: string;
  /** null where the browser has no Web Locks: the tab keeps its own database and says so. */
  locks: LockManagerLike | null;
  channel(name: string): ChannelLike;
  /** Calls fn every ms until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
  now(): number;
}

/** The browser's own mechanisms, for the worker (src/worker/main.ts). */
export function browserEnv(): TabEnv {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return {
    // Not crypto.randomUUID(): pages on plain http (a LAN address) lack it, and they run too (in memory).
    tabId: Array.from(crypto.getRandomValues(new Uint32Array(3)), (n) => n.toString(36)).join('-'),
    locks: locks ? { request: (name, callback) => locks.request(name, callback) } : null,
    channel: (name) => new BroadcastChannel(name),
    every: (ms, fn) => {
      const t = setInterval(fn, ms);
      return () => clearInterval(t);
    },
    now: Date.now,
  };
}
