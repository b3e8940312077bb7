import { afterEach, describe, expect, it } from 'vitest';
import type { Collector, CollectorDeps } from '../../../src/collect/collector';
import type { DbEvent, Endpoint, EndpointInput } from '../../../src/lib/types';
import { EVENTS_CHANNEL, tabChannel, type Broadcast } from '../../../src/worker/tab-link';
import { tabWorld, until } from './tabs-harness';

const llama = (port: number): EndpointInput => ({
  kind: 'llama', name: `box ${port}`, url: `http://127.0.0.1:${port}`, apiKey: null, intervalMs: 1000, enabled: true,
});

let world: ReturnType<typeof tabWorld>;
afterEach(() => world?.closeAll());

/** Records which tab's collector is polling, as a real one would poll every endpoint. */
function pollingLog() {
  const polling = new Set<string>();
  const factory = (tab: string) => (): Collector => {
    polling.add(tab);
    return {
      sync: () => {},
      stop: () => polling.delete(tab),
      statuses: () => [], shortestIntervalMs: () => 400,
      testConnection: async () => { throw new Error('not here'); },
      loadModel: async () => {},
      unloadModel: async () => {},
    };
  };
  return { polling, factory };
}

describe('tabs sharing one database owner', () => {
  it('the first tab owns and polls; the others read and write through it and get its events', async () => {
    const log = pollingLog();
    world = tabWorld({ collector: log.factory });
    const a = world.open('a');
    expect(await a.session.init()).toMatchObject({ state: 'ready', role: 'owner' });
    const b = world.open('b');
    const c = world.open('c');
    expect(await b.session.init()).toMatchObject({ state: 'ready', role: 'follower' });
    expect(await c.session.init()).toMatchObject({ state: 'ready', role: 'follower' });
    expect([...log.polling]).toEqual(['a']);

    const ep = await b.call<Endpoint>('addEndpoint', llama(8080));
    expect((await c.call<Endpoint[]>('listEndpoints')).map((e) => e.url)).toEqual([ep.url]);
    expect((await a.call<Endpoint[]>('listEndpoints')).map((e) => e.id)).toEqual([ep.id]);
    await until(() => [a, b, c].every((t) => t.events.some((e) => e.type === 'endpoints')));
    // A refusal comes back in words to the tab that asked.
    await expect(c.call('addEndpoint', llama(8080))).rejects.toThrow(/already in the list/);
  });

  it('sends a reply only to the tab that asked, and events to every tab', async () => {
    world = tabWorld();
    const a = world.open('a');
    await a.session.init();
    const b = world.open('b');
    const c = world.open('c');
    await Promise.all([b.session.init(), c.session.init()]);
    const seen: Record<string, string[]> = { b: [], c: [], events: [] };
    const spies = [
      ['b', tabChannel('b')], ['c', tabChannel('c')], ['events', EVENTS_CHANNEL],
    ].map(([who, name]) => {
      const ch = new BroadcastChannel(name);
      ch.onmessage = (e: MessageEvent) => seen[who].push((e.data as { t: string }).t);
      return ch;
    });
    try {
      await b.call('history', { endpointId: 1, keys: ['gen_tps'], from: 0, to: Date.now(), points: 100 });
      await b.call('setMeta', 'theme', 'dark');
      // The spies hear what b's own channel heard, a moment later.
      await until(() => seen.events.includes('beat') && seen.b.length === 2);
      expect(seen.b).toEqual(['reply', 'reply']);
      expect(seen.c).toEqual([]);
    } finally {
      for (const s of spies) s.close();
    }
  });

  it('a poll tick (each endpoint\'s status, then the stored frames) reaches the other tabs in one message', async () => {
    let deps: CollectorDeps | null = null;
    world = tabWorld({
      collector: (tab) => (d): Collector => {
        if (tab === 'a') deps = d;
        return { sync: () => {}, stop: () => {}, statuses: () => [], shortestIntervalMs: () => 400, testConnection: async () => { throw new Error('not here'); }, loadModel: async () => {}, unloadModel: async () => {} };
      },
    });
    const a = world.open('a');
    await a.session.init();
    const b = world.open('b');
    await b.session.init();
    const ids: number[] = [];
    for (const port of [8081, 8082, 8083]) ids.push((await a.call<Endpoint>('addEndpoint', llama(port))).id);
    const heard: DbEvent[][] = [];
    const spy = new BroadcastChannel(EVENTS_CHANNEL);
    spy.onmessage = (e: MessageEvent<Broadcast>) => {
      if (e.data.t === 'events') heard.push(e.data.evs);
    };
    try {
      const d = deps!;
      for (const id of ids) {
        const ended = d.pollStarted!();
        d.emit({ type: 'status', status: { endpointId: id, state: 'ok', message: null, lastOkAt: 1, lastErrorAt: null, info: {}, isRouter: false, routerModels: [] } });
        d.saveFrames([{ endpointId: id, ts: 1_700_000_000_000, values: { gen_tps: id } }]);
        ended();
      }
      await until(() => b.events.some((e) => e.type === 'frames'));
      await new Promise((r) => setTimeout(r, 50));
      expect(heard.map((evs) => evs.map((e) => e.type))).toEqual([['status', 'status', 'status', 'frames']]);
      expect(b.events.filter((e) => e.type === 'frames')).toEqual([expect.objectContaining({ endpointIds: ids })]);
    } finally {
      spy.close();
    }
  });

  it('when the owner tab dies without a word, the next tab takes the lock, keeps the data and polls', async () => {
    const log = pollingLog();
    world = tabWorld({ collector: log.factory });
    const a = world.open('a');
    await a.session.init();
    const b = world.open('b');
    const c = world.open('c');
    await Promise.all([b.session.init(), c.session.init()]);
    const ep = await c.call<Endpoint>('addEndpoint', llama(8080));

    a.die();
    await until(() => world.locks.holder() === 'b');
    expect((await c.call<Endpoint[]>('listEndpoints')).map((e) => e.id)).toEqual([ep.id]);
    expect(b.session.role()).toBe('owner');
    expect(c.session.role()).toBe('follower');
    await until(() => [...log.polling].join() === 'b');
    expect(b.session.status()).toMatchObject({ state: 'ready', role: 'owner' });
    expect(c.session.status()).toMatchObject({ state: 'ready', role: 'follower' });
  });

  it('a write whose owner died after applying it, before replying, is applied once by the next owner', async () => {
    world = tabWorld();
    const a = world.open('a');
    await a.session.init();
    const b = world.open('b');
    const c = world.open('c');
    await Promise.all([b.session.init(), c.session.init()]);
    const apply = a.api.applyWrite;
    let applied = 0;
    a.api.applyWrite = (...args: Parameters<typeof apply>) => {
      apply(...args);
      applied++;
      a.die();
      // The tab is gone: no reply ever comes.
      return new Promise(() => {});
    };

    const added = c.call<Endpoint>('addEndpoint', llama(8080));
    const stored = await added;
    expect(applied).toBe(1);
    expect(b.session.role()).toBe('owner');
    const list = await c.call<Endpoint[]>('listEndpoints');
    expect(list).toHaveLength(1);
    expect(stored).toEqual(list[0]);
  });

  it('a call made while the owner changes is answered once the next owner is there', async () => {
    world = tabWorld();
    const a = world.open('a');
    await a.session.init();
    const b = world.open('b');
    await b.session.init();
    a.die();
    // b's own page asks before b has opened the database: the call waits for it rather than failing.
    const ep = await b.call<Endpoint>('addEndpoint', llama(9000));
    expect((await b.call<Endpoint[]>('listEndpoints')).map((e) => e.id)).toEqual([ep.id]);
  });

  it('an owner that stops its heartbeat is reported in words by the other tabs, until it answers again', async () => {
    world = tabWorld();
    const a = world.open('a');
    await a.session.init();
    const b = world.open('b');
    await b.session.init();
    a.freeze();
    await until(() => b.session.status().state === 'unresponsive');
    expect(b.session.status().message).toMatch(/holds the database has not answered for \d+ s/);
    expect(b.events.some((e) => e.type === 'db' && e.status.state === 'unresponsive')).toBe(true);
    // The hung tab is finally closed: its lock goes to b, which carries on.
    world.locks.drop('a');
    await until(() => b.session.status().state === 'ready');
    expect(b.session.role()).toBe('owner');
  });
});

describe('a lone tab', () => {
  it('posts nothing on the shared channel while no other tab is there, and beats again while one is', async () => {
    world = tabWorld();
    const a = world.open('a');
    await a.session.init();
    const heard: Broadcast[] = [];
    const listen = new BroadcastChannel(EVENTS_CHANNEL);
    listen.onmessage = (e: MessageEvent<Broadcast>) => heard.push(e.data);
    try {
      // Heartbeat 50 ms in the harness: ten would have gone out by now.
      await new Promise((r) => setTimeout(r, 500));
      expect(heard).toEqual([]);
      const b = world.open('b');
      await b.session.init();
      await until(() => heard.filter((m) => m.t === 'beat').length >= 5);
      b.die();
      // Silent again once b has not spoken for staleMs (400 ms in the harness; more time allowed under load).
      await new Promise((r) => setTimeout(r, 1000));
      const n = heard.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(heard.length).toBe(n);
    } finally {
      listen.close();
    }
  });

  it('a follower whose timers were held back does not call a live owner unresponsive', async () => {
    world = tabWorld();
    const a = world.open('a');
    await a.session.init();
    const b = world.open('b');
    await b.session.init();
    // Longer than staleMs (400 ms): the owner hears no hello and stops beating meanwhile.
    b.throttle(1000);
    await new Promise((r) => setTimeout(r, 1600));
    expect(b.events.some((e) => e.type === 'db' && e.status.state === 'unresponsive')).toBe(false);
    expect(b.session.status()).toMatchObject({ state: 'ready', role: 'follower' });
  });
});

describe('tabs of two deploys', () => {
  it('a tab of another build is told so, its calls are refused in words, and the owner says so too', async () => {
    world = tabWorld();
    const a = world.open('a', 'llamadash-build:0.1.0-old');
    await a.session.init();
    const b = world.open('b', 'llamadash-build:0.1.0-new');
    expect(await b.session.init()).toMatchObject({ role: 'follower', otherBuild: '0.1.0-old' });
    await expect(b.call('listEndpoints')).rejects.toThrow(/another version of Llama Dashboard \(0\.1\.0-new\) than the tab that holds the database \(0\.1\.0-old\)/);
    await until(() => a.session.status().otherBuild === '0.1.0-new');
    // A tab of the owner's own build works as before.
    const c = world.open('c', 'llamadash-build:0.1.0-old');
    await c.session.init();
    expect(c.session.status().otherBuild).toBeUndefined();
    expect(await c.call('listEndpoints')).toEqual([]);
  });

  it('"reload every tab" reaches every tab, the asking one and the owner included', async () => {
    world = tabWorld();
    const a = world.open('a');
    await a.session.init();
    const b = world.open('b');
    const c = world.open('c');
    await Promise.all([b.session.init(), c.session.init()]);
    b.session.reloadEveryTab();
    await until(() => [a, b, c].every((t) => t.events.some((e) => e.type === 'reload')));
  });
});
