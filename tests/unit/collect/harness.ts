import type { DbEvent, Endpoint, EndpointStatus, SampleFrame, SeriesEvent } from '../../../src/lib/types';
import { createCollector, type CollectorDeps } from '../../../src/collect/collector';
import { startStandIn } from '../../fixtures/llama-stand-in.mjs';

export interface StandIn {
  url: string;
  port: number;
  close(): Promise<void>;
  control(patch: Record<string, unknown>): StandInState;
  state(): StandInState;
}

export interface StandInState {
  mode: string;
  hits: Record<string, number>;
  log: { method: string; path: string; query: string; auth: string | null; t: number }[];
  models: { id: string; state: string }[] | null;
  /** Bytes of the last `huge` body written before the client stopped reading. */
  hugeSent: number;
}

export const standIn = (opts: Record<string, unknown> = {}): Promise<StandIn> => startStandIn({ port: 0, ...opts });

export function endpoint(url: string, patch: Partial<Endpoint> = {}): Endpoint {
  return { id: 1, kind: 'llama', name: 'test', url, apiKey: null, intervalMs: 100, enabled: true, createdAt: 0, fromLink: false, ...patch };
}

/** A collector wired to in-memory sinks, polling the given endpoints with real fetch. */
export function harness(endpoints: Endpoint[], deps: Partial<CollectorDeps> = {}) {
  const frames: SampleFrame[] = [];
  const events: SeriesEvent[] = [];
  const statuses: EndpointStatus[] = [];
  const emitted: DbEvent[] = [];
  const collector = createCollector({
    listEndpoints: () => endpoints,
    saveFrames: (f, e) => {
      frames.push(...f);
      events.push(...(e ?? []));
    },
    emit: (ev) => {
      emitted.push(ev);
      if (ev.type === 'status') statuses.push(ev.status);
    },
    timeoutMs: 1_000,
    ...deps,
  });
  const last = () => statuses[statuses.length - 1];
  return { collector, frames, events, statuses, emitted, last };
}

/** Polls `cond` until it holds (returns its value) or fails the test with `what`. */
export async function waitFor<T>(cond: () => T | undefined | null | false, what: string, ms = 8_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
