/**
 * The collector runs inside the DB worker: one poller per enabled endpoint, chosen by the endpoint's kind
 * from POLLERS below. A kind plugs in with one line in POLLERS, an object implementing PollerKind
 * (src/collect/poller.ts): `create(ctx)` returns a Poller { start(), stop(), status() } that polls on its
 * own timer and reports through ctx.saveFrames (one SampleFrame per tick) and ctx.onStatus; `probe(ctx)`
 * tests an endpoint once without storing anything. Nothing else in the collector knows about kinds.
 *
 * The collector does not emit 'frames' events: the deps.saveFrames given by the worker API does that after
 * each write. It emits 'status' whenever an endpoint's status changes.
 */

import type { DbEvent, Endpoint, EndpointInput, EndpointKind, EndpointStatus, SampleFrame, SeriesEvent } from '../lib/types';
import { exporterPollerKind } from './exporter-poller';
import { identifyLlama } from './llama-identify';
import { llamaPollerKind } from './llama-poller';
import { prometheusPollerKind } from './prometheus-poller';
import { endpointFromInput, initialStatus, type Poller, type PollerContext, type PollerKind } from './poller';
import type { GapStore } from './llama-gap-fill';
import { MetricsRelay } from './metrics-relay';
import { TickClock } from './tick-clock';

const POLLERS: Partial<Record<EndpointKind, PollerKind>> = {
  llama: { ...llamaPollerKind, identify: identifyLlama },
  exporter: exporterPollerKind,
  prometheus: prometheusPollerKind,
};

export interface CollectorDeps {
  listEndpoints(): Endpoint[];
  saveFrames(frames: SampleFrame[], events?: SeriesEvent[]): void;
  emit(ev: DbEvent): void;
  /** Newest stored sample time of an endpoint, null when none (see PollerContext.lastStoredTs). */
  lastStoredTs?(endpointId: number): number | null;
  /** Newest stored sample of an endpoint (see PollerContext.lastStored). */
  lastStored?: PollerContext['lastStored'];
  /** Lets exporters fill llama-server gaps (collect/llama-gap-fill.ts); absent: no filling. */
  gaps?: GapStore;
  saveRequests?: PollerContext['saveRequests'];
  requestsFastMs?: PollerContext['requestsFastMs'];
  fetch?: typeof fetch;
  now?: () => number;
  /** Per-request time limit (ms); by default derived from each endpoint's poll interval. */
  timeoutMs?: number;
  /** Overrides location.protocol/origin (tests). */
  page?: { protocol: string | null; origin: string | null };
  /** Told when each poll starts and ends (see PollerContext.pollStarted). */
  pollStarted?: PollerContext['pollStarted'];
}

/** Fields whose change means the poller must start over. */
const pollerKey = (ep: Endpoint) => JSON.stringify([ep.kind, ep.url, ep.apiKey, ep.intervalMs, ep.enabled]);

interface Running {
  key: string;
  poller: Poller;
  intervalMs: number;
}

/** Creates the collector; call sync() after every change to the endpoint list. */
export function createCollector(deps: CollectorDeps) {
  const now = deps.now ?? Date.now;
  const doFetch = deps.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const running = new Map<number, Running>();
  const idle = new Map<number, EndpointStatus>();
  const clock = new TickClock(now);
  const relay = new MetricsRelay((id) => deps.gaps?.link(id) ?? null);

  function context(ep: Endpoint): PollerContext {
    return {
      endpoint: ep,
      fetch: doFetch,
      now,
      saveFrames: deps.saveFrames,
      onStatus: (status: EndpointStatus) => deps.emit({ type: 'status', status }),
      lastStoredTs: deps.lastStoredTs,
      lastStored: deps.lastStored,
      endpoints: deps.listEndpoints,
      gaps: deps.gaps,
      saveRequests: deps.saveRequests,
      requestsFastMs: deps.requestsFastMs,
      timeoutMs: deps.timeoutMs,
      page: deps.page,
      clock,
      relay,
      pollStarted: deps.pollStarted,
    };
  }

  function noPoller(ep: Endpoint): EndpointStatus {
    return { ...initialStatus(ep), state: 'error', message: `This version cannot poll endpoints of kind "${ep.kind}".` };
  }

  function stopOne(id: number): void {
    running.get(id)?.poller.stop();
    running.delete(id);
  }

  return {
    /** Starts, restarts or stops pollers to match the stored endpoints. */
    sync(): void {
      const endpoints = deps.listEndpoints();
      const ids = new Set(endpoints.map((e) => e.id));
      for (const id of [...running.keys()]) if (!ids.has(id)) stopOne(id);
      for (const id of [...idle.keys()]) if (!ids.has(id)) idle.delete(id);
      for (const ep of endpoints) {
        const key = pollerKey(ep);
        if (running.get(ep.id)?.key === key) continue;
        stopOne(ep.id);
        const kind = POLLERS[ep.kind];
        if (!ep.enabled || !kind) {
          const status = kind ? initialStatus(ep) : noPoller(ep);
          idle.set(ep.id, status);
          deps.emit({ type: 'status', status });
          continue;
        }
        idle.delete(ep.id);
        const poller = kind.create(context(ep));
        running.set(ep.id, { key, poller, intervalMs: ep.intervalMs });
        deps.emit({ type: 'status', status: poller.status() });
        poller.start();
      }
    },

    stop(): void {
      for (const id of [...running.keys()]) stopOne(id);
    },

    /** The shortest poll interval among the running pollers (ms), null when none runs. */
    shortestIntervalMs(): number | null {
      let min: number | null = null;
      for (const r of running.values()) min = Math.min(min ?? Infinity, r.intervalMs);
      return min;
    },

    statuses(): EndpointStatus[] {
      return [...[...running.values()].map((r) => r.poller.status()), ...idle.values()];
    },

    /**
     * Tries an endpoint once (nothing stored) and says what works and what does not. `identifyOnly` reads
     * just enough to tell what answers (llama-server: /health and /props, never /slots).
     */
    async testConnection(input: EndpointInput, opts: { identifyOnly?: boolean } = {}): Promise<EndpointStatus> {
      const ep = endpointFromInput(input, now());
      const kind = POLLERS[ep.kind];
      if (!kind) return noPoller(ep);
      const probe = opts.identifyOnly && kind.identify ? kind.identify : kind.probe;
      return probe(context({ ...ep, enabled: true }));
    },

    async loadModel(endpointId: number, model: string): Promise<void> {
      const p = running.get(endpointId)?.poller;
      if (!p?.loadModel) throw new Error('This endpoint is not a running llama-server router.');
      await p.loadModel(model);
    },

    async unloadModel(endpointId: number, model: string): Promise<void> {
      const p = running.get(endpointId)?.poller;
      if (!p?.unloadModel) throw new Error('This endpoint is not a running llama-server router.');
      await p.unloadModel(model);
    },
  };
}

export type Collector = ReturnType<typeof createCollector>;
