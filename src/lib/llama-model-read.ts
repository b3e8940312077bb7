/**
 * The read of one model of a llama-server, the same for the one model of a single server and for each
 * loaded model of a router: /props when due, /metrics, parse, requests processing/deferred, /slots only
 * then, derive, restart detection. Reading /slots wakes a server started with --sleep-idle-seconds and
 * restarts its idle timer, so an idle or sleeping model is never asked. A router's model is addressed with
 * `?model=<id>&autoload=false` on every read: without autoload=false, reading it would load it.
 */

import { deriveTick, initialDeriveState, labelValues, type DeriveState } from './llama-derive';
import { parseProps, type LlamaProps } from './llama-props';
import { parseSlots, type SlotInfo } from './llama-slots';
import { requestCounters, type RequestObservation } from './request-tracker';
import { parsePrometheus, type PromParseResult } from './prometheus';
import { isDown, type ServerIo } from './http-request';
import type { FetchFailure } from './explain-fetch-error';
import type { SeriesEventKind } from './series-events';
import { KEYS } from './series-keys';

/** /props is read on connect, after a restart, and this often (model changes, is_sleeping, settings). */
export const PROPS_EVERY_MS = 10_000;

/** A chart marker a tick found (the caller stamps its endpoint on it). */
export interface TickEvent {
  ts: number;
  kind: SeriesEventKind;
  detail?: string;
}

/** Words for a failed read of `path` (explainFetchFailure with the server's context filled in). */
export type Explain = (f: FetchFailure, path: string) => string;

/** What one model's reads remember from tick to tick. */
export interface ModelTrack {
  derive: DeriveState;
  props: LlamaProps | null;
  /** When /props was last read; -Infinity makes the next tick read it. */
  propsAt: number;
  metricsOff: boolean;
  slotsOff: boolean;
  /** Read since the last (re)connect: /slots is read once on connect whatever the gauges say. */
  seen: boolean;
}

/** A model not read yet: the first tick reads /props and /slots. */
export function newTrack(): ModelTrack {
  return { derive: initialDeriveState(), props: null, propsAt: -Infinity, metricsOff: false, slotsOff: false, seen: false };
}

/**
 * A fast read for the request tracker between ticks: /slots alone, and only of a model the last tick found
 * busy (so a sleeping or idle server is never woken). Null when it could not be read; the next tick, which
 * reads everything, reports why.
 */
export async function readSlotsOnly(io: ServerIo, model: string | null, now: () => number): Promise<RequestObservation | null> {
  const s = await io.json(`/slots${modelQuery(model)}`);
  const slots = s.ok ? parseSlots(s.value) : null;
  return slots ? { ts: now(), slots, counters: null } : null;
}

/** The next tick starts as on connect: /props and /slots once more (counters and rates carry on). */
export function reconnect(track: ModelTrack): void {
  track.seen = false;
  track.propsAt = -Infinity;
}

/** Which model to read: null is the server itself (a single-model server). */
export interface ModelTarget {
  model: string | null;
  /** A router's word (from /models) on whether the model sleeps; absent: /props says. */
  listedSleeping?: boolean;
}

/** How one model's reads ended. */
export type ModelRead =
  /** The server refused or could not be reached: the whole tick fails. */
  | { kind: 'failed'; failure: FetchFailure; path: string }
  /** A router's model was unloaded between the list and this read. */
  | { kind: 'gone' }
  | { kind: 'read'; values: Record<string, number | null>; events: TickEvent[]; busy: boolean; sleeping: boolean; notes: string[]; observed: RequestObservation };

const isAuth = (f: FetchFailure) => f.kind === 'http' && f.status === 401;
const isOff = (f: FetchFailure) => f.kind === 'http' && (f.status === 404 || f.status === 501);
const OFF: FetchFailure = { kind: 'http', status: 501, body: '' };

/** The query that addresses a model: none for the server itself, never one that could load a router's model. */
export function modelQuery(model: string | null): string {
  return model === null ? '' : `?model=${encodeURIComponent(model)}&autoload=false`;
}

/** True when /props should be read this tick (on connect, after a restart, every PROPS_EVERY_MS). */
export const propsDue = (track: ModelTrack, ts: number) => ts - track.propsAt >= PROPS_EVERY_MS;

function describeParse(p: PromParseResult): string {
  if (p.samples.length === 0 && p.errors.length === 0) return 'the answer was empty';
  const first = p.errors[0];
  return first ? `no llama-server metrics; line ${first.line}: ${first.message}` : 'no llama-server metrics in it';
}

/**
 * Reads /props into the track. A 401 fails the tick; any other failure leaves the last props in place (and
 * the next tick tries again). A changed model path is a model-change event.
 */
export async function readProps(io: ServerIo, track: ModelTrack, ts: number, model: string | null, events: TickEvent[]): Promise<{ failure: FetchFailure; path: string } | null> {
  const path = `/props${modelQuery(model)}`;
  const r = await io.json(path);
  if (!r.ok) return isAuth(r.failure) ? { failure: r.failure, path } : null;
  const p = parseProps(r.value);
  if (!p) return null;
  const old = track.props;
  if (old?.modelPath && p.modelPath && old.modelPath !== p.modelPath) events.push({ ts, kind: 'model-change', detail: p.model ?? p.modelPath });
  track.props = p;
  track.propsAt = ts;
  track.metricsOff = p.metricsEnabled === false;
  track.slotsOff = p.slotsEnabled === false;
  return null;
}

type MetricsRead = { failure: FetchFailure; path: string } | 'gone' | { metrics: PromParseResult | null };

async function readMetrics(io: ServerIo, track: ModelTrack, target: ModelTarget, explain: Explain, notes: string[]): Promise<MetricsRead> {
  const path = `/metrics${modelQuery(target.model)}`;
  let metrics: PromParseResult | null = null;
  if (!track.metricsOff) {
    const m = await io.get(path);
    if (!m.ok) {
      const f = m.failure;
      if (isAuth(f)) return { failure: f, path };
      // A router's own /models answered just now: one model not answering is that model's trouble.
      if (target.model === null && isDown(f)) return { failure: f, path };
      // 400 "model is not loaded": it was unloaded between the list and this read.
      if (target.model !== null && f.kind === 'http' && f.status === 400) return 'gone';
      if (isOff(f)) track.metricsOff = true;
      else notes.push(explain(f, '/metrics'));
    } else {
      const parsed = parsePrometheus(m.text);
      if (parsed.samples.some((s) => s.name.startsWith('llamacpp:'))) metrics = parsed;
      else notes.push(explain({ kind: 'bad-body', detail: describeParse(parsed) }, '/metrics'));
    }
  }
  if (track.metricsOff) notes.push(explain(OFF, '/metrics'));
  return { metrics };
}

/**
 * One tick of one model. For a named (router) model /props is read here when due; the server's own /props
 * is read by the tick before it, because it also says whether the server is a router.
 */
export async function readModel(io: ServerIo, track: ModelTrack, ts: number, target: ModelTarget, explain: Explain, clock?: () => number): Promise<ModelRead> {
  const { model } = target;
  const q = modelQuery(model);
  const events: TickEvent[] = [];
  const notes: string[] = [];
  if (model !== null && propsDue(track, ts)) {
    const bad = await readProps(io, track, ts, model, events);
    if (bad) return { kind: 'failed', ...bad };
  }
  const m = await readMetrics(io, track, target, explain, notes);
  if (m === 'gone') return { kind: 'gone' };
  if ('failure' in m) return { kind: 'failed', failure: m.failure, path: m.path };
  const { metrics } = m;
  const gauge = (name: string) => metrics?.samples.find((s) => s.name === name)?.value ?? 0;
  const queued = gauge(KEYS.requestsProcessing) + gauge(KEYS.requestsDeferred);
  let sleeping = target.listedSleeping ?? track.props?.isSleeping === true;
  if (target.listedSleeping === undefined && sleeping && queued > 0) {
    // A request woke it since /props was last read: confirm now rather than up to PROPS_EVERY_MS later.
    const bad = await readProps(io, track, ts, model, events);
    if (bad) return { kind: 'failed', ...bad };
    sleeping = track.props?.isSleeping === true;
  }

  let slots: SlotInfo[] | null = null;
  // When /slots answered, for the request tracker (the tick's own time is when it began, before /health).
  let slotsAt = ts;
  if (!track.slotsOff && !sleeping && (!track.seen || queued > 0)) {
    const s = await io.json(`/slots${q}`);
    slotsAt = clock?.() ?? ts;
    if (s.ok) slots = parseSlots(s.value);
    else if (isAuth(s.failure)) return { kind: 'failed', failure: s.failure, path: `/slots${q}` };
    else if (isOff(s.failure)) track.slotsOff = true;
    else notes.push(explain(s.failure, `/slots${q}`));
  }
  if (track.slotsOff) notes.push(explain(OFF, '/slots'));
  track.seen = true;

  const out = deriveTick(track.derive, { ts, metrics, slots, totalSlots: track.props?.totalSlots ?? null });
  track.derive = out.state;
  if (out.restart) {
    events.push(model === null ? { ts, kind: 'restart' } : { ts, kind: 'restart', detail: model });
    track.propsAt = -Infinity;
  }
  return {
    kind: 'read',
    values: model === null ? out.values : labelValues(out.values, { model }),
    events,
    busy: queued > 0 || (slots?.some((s) => s.isProcessing) ?? false),
    sleeping,
    observed: { ts: slotsAt, slots, counters: requestCounters(metrics) },
    notes: model === null ? notes : notes.map((n) => `${model}: ${n}`),
  };
}
