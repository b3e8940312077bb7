import type { DbEvent, DbStatus } from '../lib/types';
import { errorText } from '../lib/error-text';
import { WRITE_METHODS, type RpcApi, type RpcMethod } from './api';
import { BUILD_ID, buildLabel } from './build-id';
import { eventBatcher } from './event-batch';
import {
  EVENTS_CHANNEL, LOCK_NAME, RPC_CHANNEL, tabChannel,
  type Broadcast, type ChannelLike, type ReplyMessage, type TabEnv, type ToOwner,
} from './tab-link';

export interface SessionOptions {
  env: TabEnv;
  /** This worker's database API, opened only if this tab becomes the owner. */
  api: RpcApi;
  /** How often the owner says it is alive (ms). */
  heartbeatMs?: number;
  /** Silence after which the other tabs say the owner stopped answering (ms). */
  staleMs?: number;
  /** How long a forwarded call waits for an answer before failing in words (ms). */
  callTimeoutMs?: number;
  /** This tab's build id (BUILD_ID; tests give two sessions two builds). */
  build?: string;
}

interface Pending {
  seq: number;
  method: RpcMethod;
  args: unknown[];
  writeId?: string;
  /** The owner the call was last sent to (null: not sent yet). */
  sentTo: string | null;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const WRITES = new Set<string>(WRITE_METHODS);

/**
 * One tab's place among the dashboard's tabs. The worker that holds the Web Lock owns the database: it
 * opens it, polls, serves its own page and every other tab, and says it is alive every heartbeatMs while
 * another tab is there. The others forward their page's calls to it, relay its events to their page, and
 * queue for the lock, so that when the owner's tab goes away (closed, reloaded, crashed) the next one
 * opens the database and carries on, and calls in flight are sent again to it.
 */
export function createSession(options: SessionOptions) {
  const { env, api } = options;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const staleMs = options.staleMs ?? 3500;
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;
  const build = options.build ?? BUILD_ID;
  /** The build of a tab on another deploy this tab has met (the owner's, or a caller's), or null. */
  let otherBuild: string | null = null;
  let role: 'owner' | 'follower' | null = null;
  let status: DbStatus = { state: 'starting', storage: null, message: null };
  let started: Promise<DbStatus> | null = null;
  let settle: ((s: DbStatus) => void) | null = null;
  const listeners = new Map<number, (ev: DbEvent) => unknown>();
  let nextListener = 1;
  const pending = new Map<number, Pending>();
  let nextSeq = 1;
  let ownerId: string | null = null;
  let lastBeat = env.now();
  let rpcOut: ChannelLike | null = null;
  let events: ChannelLike | null = null;
  let replies: ChannelLike | null = null;
  let stopWatch: (() => void) | null = null;
  /** When another tab last spoke to this owner; it beats and relays events only while one listens. */
  let heardFromTabAt = -Infinity;
  let stopBeat: (() => void) | null = null;
  /** When this follower last told the owner it is there. */
  let saidHelloAt = -Infinity;
  const replyChannels = new Map<string, ChannelLike>();
  /** Settles once this tab, as the owner, has opened the database. */
  let opened: Promise<unknown> = Promise.resolve();

  function deliver(ev: DbEvent): void {
    for (const [id, cb] of listeners) {
      Promise.resolve()
        .then(() => cb(ev))
        .catch(() => listeners.delete(id));
    }
  }

  function setStatus(given: DbStatus): void {
    const next: DbStatus = otherBuild ? { ...given, otherBuild: buildLabel(otherBuild) } : given;
    const same = next.state === status.state && next.storage === status.storage &&
      next.message === status.message && next.role === status.role && next.otherBuild === status.otherBuild;
    status = next;
    if (!same) deliver({ type: 'db', status });
    if (settle && next.state !== 'starting' && next.state !== 'connecting') {
      settle(next);
      settle = null;
    }
  }

  function sayHello(): void {
    saidHelloAt = env.now();
    rpcOut?.postMessage({ t: 'hello', tab: env.tabId, build } satisfies ToOwner);
  }

  function send(p: Pending): void {
    if (!ownerId || !rpcOut) return;
    p.sentTo = ownerId;
    rpcOut.postMessage({ t: 'call', tab: env.tabId, build, seq: p.seq, method: p.method, args: p.args, writeId: p.writeId } satisfies ToOwner);
  }

  function forward(method: RpcMethod, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const seq = nextSeq++;
      const p: Pending = {
        seq, method, args, sentTo: null, resolve, reject,
        writeId: WRITES.has(method) ? `${env.tabId}:${seq}` : undefined,
        timer: setTimeout(() => {
          pending.delete(seq);
          reject(new Error(
            `No dashboard tab answered "${method}" within ${Math.round(callTimeoutMs / 1000)} s: the tab that holds the ` +
            'database may be frozen. Close it or bring it to the front, then check whether the change was made and try again.',
          ));
        }, callTimeoutMs),
      };
      pending.set(seq, p);
      send(p);
    });
  }

  function finish(seq: number, outcome: { ok: true; value: unknown } | { ok: false; error: string }): void {
    const p = pending.get(seq);
    if (!p) return;
    pending.delete(seq);
    clearTimeout(p.timer);
    if (outcome.ok) p.resolve(outcome.value);
    else p.reject(new Error(outcome.error));
  }

  /** Runs a call on this tab's own database; a write with an id applies once. */
  async function runHere(method: RpcMethod, args: unknown[], writeId?: string): Promise<unknown> {
    if (writeId) return api.applyWrite(writeId, method, args);
    return await (api[method] as (...a: unknown[]) => unknown)(...args);
  }

  /** Another deploy's tab is about: say so on this tab's status (the page offers to reload every tab). */
  function metBuild(other: string): void {
    if (other === build || other === otherBuild) return;
    otherBuild = other;
    setStatus(status);
  }

  function onBroadcast(e: MessageEvent<Broadcast>): void {
    const m = e.data;
    if (m.t === 'reload') {
      deliver({ type: 'reload' });
      return;
    }
    if (role !== 'follower' && role !== null) return;
    if (m.t === 'beat') {
      lastBeat = env.now();
      metBuild(m.build);
      if (m.owner !== ownerId) {
        ownerId = m.owner;
        // A new owner: whatever the last one may not have answered goes to it (writes apply once).
        for (const p of pending.values()) if (p.sentTo !== ownerId) send(p);
      }
      role = 'follower';
      setStatus({ ...m.status, role: 'follower' });
    } else if (m.t === 'events') {
      for (const ev of m.evs) if (ev.type !== 'db') deliver(ev);
    }
  }

  function watch(): void {
    if (role === 'owner') return;
    // The owner beats only while it hears from other tabs. When this tab's own timer came late (a
    // throttled background tab), the owner had no hello for a while: it gets one, and its silence counts
    // from now.
    const now = env.now();
    const sinceHello = now - saidHelloAt;
    if (sinceHello >= heartbeatMs) sayHello();
    if (sinceHello > 2 * heartbeatMs) lastBeat = Math.max(lastBeat, now);
    const silent = now - lastBeat;
    if (silent <= staleMs) return;
    setStatus({
      state: 'unresponsive', storage: status.storage, role: role ?? undefined,
      message: `The dashboard tab that holds the database has not answered for ${Math.round(silent / 1000)} s ` +
        '(it may be frozen, or paused in the background). Live values and changes wait until it answers again ' +
        'or is closed; closing it hands the database to another tab.',
    });
  }

  function replyTo(tab: string, message: ReplyMessage): void {
    let ch = replyChannels.get(tab);
    if (!ch) {
      ch = env.channel(tabChannel(tab));
      replyChannels.set(tab, ch);
    }
    ch.postMessage(message);
  }

  async function serve(m: ToOwner): Promise<void> {
    heardFromTabAt = env.now();
    if (!stopBeat) stopBeat = env.every(heartbeatMs, beatWhileHeard);
    if (m.t === 'hello') {
      metBuild(m.build);
      beat();
      return;
    }
    if (m.build !== build) {
      metBuild(m.build);
      replyTo(m.tab, {
        t: 'reply', seq: m.seq, owner: env.tabId, ok: false,
        error: `This tab runs another version of Llama Dashboard (${buildLabel(m.build)}) than the tab that holds the database (${buildLabel(build)}). Reload every tab of the dashboard to use one version.`,
      });
      return;
    }
    try {
      const value = await runHere(m.method, m.args, m.writeId);
      replyTo(m.tab, { t: 'reply', seq: m.seq, owner: env.tabId, ok: true, value });
    } catch (e) {
      replyTo(m.tab, { t: 'reply', seq: m.seq, owner: env.tabId, ok: false, error: errorText(e) });
    }
  }

  function beat(): void {
    events?.postMessage({ t: 'beat', owner: env.tabId, build, status: api.status() } satisfies Broadcast);
  }

  /**
   * A channel message costs a few ms of the worker's time (profiled), so a lone tab sends none: the
   * heartbeat stops once no other tab has spoken for staleMs, and starts again at the next hello.
   */
  function beatWhileHeard(): void {
    if (!tabsListen()) {
      stopBeat?.();
      stopBeat = null;
      return;
    }
    beat();
  }

  const tabsListen = () => env.now() - heardFromTabAt <= staleMs;

  async function becomeOwner(): Promise<void> {
    role = 'owner';
    ownerId = env.tabId;
    stopWatch?.();
    stopWatch = null;
    setStatus({ state: 'connecting', storage: null, message: null, role: 'owner' });
    // The other tabs get a tick's events in one message too.
    const broadcast = eventBatcher((evs) => events?.postMessage({ t: 'events', owner: env.tabId, evs } satisfies Broadcast));
    api.subscribe((ev) => {
      if (ev.type === 'db') setStatus({ ...ev.status, role: 'owner' });
      else {
        deliver(ev);
        if (events && tabsListen()) broadcast(ev);
      }
    });
    opened = api.init();
    setStatus({ ...(await api.init()), role: 'owner' });
    if (events) {
      const rpcIn = env.channel(RPC_CHANNEL);
      rpcIn.onmessage = (e: MessageEvent<ToOwner>) => void serve(e.data);
      // Tabs that were following the last owner: tell them at once who holds the database now.
      beat();
    }
    // Calls this page made while it followed: the last owner may have applied a write; its id says so.
    for (const p of [...pending.values()]) {
      runHere(p.method, p.args, p.writeId).then(
        (value) => finish(p.seq, { ok: true, value }),
        (e: unknown) => finish(p.seq, { ok: false, error: errorText(e) }),
      );
    }
  }

  function start(): void {
    if (!env.locks) {
      // No Web Locks: this tab cannot coordinate with others, so it keeps its own in-memory database.
      void becomeOwner();
      return;
    }
    events = env.channel(EVENTS_CHANNEL);
    events.onmessage = onBroadcast;
    replies = env.channel(tabChannel(env.tabId));
    replies.onmessage = (e: MessageEvent<ReplyMessage>) => {
      if (e.data?.t === 'reply') finish(e.data.seq, e.data);
    };
    rpcOut = env.channel(RPC_CHANNEL);
    sayHello();
    stopWatch = env.every(Math.max(50, Math.round(heartbeatMs / 2)), watch);
    env.locks
      .request(LOCK_NAME, async () => {
        await becomeOwner();
        // Held for the life of this tab: the browser releases it when the tab closes or crashes.
        await new Promise<never>(() => {});
      })
      .catch((e: unknown) => setStatus({ state: 'error', storage: null, message: `The dashboard could not coordinate its tabs: ${errorText(e)}` }));
  }

  return {
    /** Joins the tabs (takes the database or finds its owner); resolves with the first settled status. */
    init(): Promise<DbStatus> {
      if (!started) {
        started = new Promise<DbStatus>((resolve) => (settle = resolve));
        start();
      }
      return started;
    },

    status(): DbStatus {
      return status;
    },

    /** Registers a listener for DbEvents (pass a Comlink.proxy from the page); returns its id. */
    subscribe(cb: (ev: DbEvent) => unknown): number {
      const id = nextListener++;
      listeners.set(id, cb);
      return id;
    },


    /** Runs one RPC call: here when this tab owns the database, else at the owner. */
    call(method: RpcMethod, args: unknown[]): Promise<unknown> {
      if (role === 'owner') return opened.then(() => runHere(method, args));
      return forward(method, args);
    },

    /** Which part this tab plays now. */
    role: () => role,

    /** Tells every tab of the dashboard, this one included, to reload (one version for all after a deploy). */
    reloadEveryTab(): void {
      events?.postMessage({ t: 'reload', from: env.tabId } satisfies Broadcast);
      deliver({ type: 'reload' });
    },
  };
}

export type Session = ReturnType<typeof createSession>;
