/**
 * What the collector needs from a poller, whatever kind of endpoint it polls. A poller owns its timer,
 * never overlaps its own requests, and reports through its context.
 */

import type { Endpoint, EndpointInput, EndpointStatus, SampleFrame, SeriesEvent } from '../db/types';

export interface PollerContext {
  endpoint: Endpoint;
  fetch: typeof fetch;
  now: () => number;
  saveFrames(frames: SampleFrame[], events?: SeriesEvent[]): void;
  /** Called whenever the status changes (the collector turns it into a DbEvent). */
  onStatus(status: EndpointStatus): void;
  /**
   * Time of the newest sample stored for this endpoint (this computer's clock), null when none: lets a
   * poller started by a page load ask its source only for what is missing. Absent: nothing is known.
   */
  lastStoredTs?(endpointId: number): number | null;
  /** Per-request time limit. */
  timeoutMs?: number;
  /** Page protocol/origin for mixed-content and CORS explanations; taken from `location` when absent. */
  page?: { protocol: string | null; origin: string | null };
}

export interface Poller {
  start(): void;
  stop(): void;
  status(): EndpointStatus;
  /** Router endpoints only. Resolve once the model has settled; reject with a message a user can read. */
  loadModel?(model: string): Promise<void>;
  unloadModel?(model: string): Promise<void>;
}

/** One entry per endpoint kind: how to poll it and how to test it once without storing anything. */
export interface PollerKind {
  create(ctx: PollerContext): Poller;
  probe(ctx: PollerContext): Promise<EndpointStatus>;
}

/** Exponential backoff while an endpoint is down: interval, 2×, 4×, ... capped at 30 s. */
export function backoffDelay(intervalMs: number, failures: number, capMs = 30_000): number {
  if (failures <= 0) return intervalMs;
  return Math.min(capMs, Math.max(intervalMs, intervalMs * 2 ** (failures - 1)));
}

/** Per-request time limit from the poll interval: long enough for a busy server, short enough to notice. */
export function defaultTimeout(intervalMs: number): number {
  return Math.max(2_000, Math.min(intervalMs * 3, 10_000));
}

/** A status for an endpoint nothing has been learnt about yet. */
export function initialStatus(ep: Pick<Endpoint, 'id' | 'enabled'>): EndpointStatus {
  return {
    endpointId: ep.id,
    state: ep.enabled ? 'connecting' : 'disabled',
    message: null,
    lastOkAt: null,
    lastErrorAt: null,
    info: {},
    isRouter: false,
    routerModels: [],
  };
}

/** An Endpoint from the form's input, for a one-off test before it is saved. */
export function endpointFromInput(input: EndpointInput, now: number): Endpoint {
  return { ...input, id: 0, createdAt: now };
}
