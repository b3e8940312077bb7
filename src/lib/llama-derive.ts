/**
 * One llama-server poll tick turned into series values (see series-keys.ts for what each key means).
 * Pure: the caller keeps the returned state and passes it to the next tick.
 */

import type { PromParseResult } from './prometheus';
import { counterRatio, detectReset, perMinute, perSecond, type CounterReading, type WindowEntry } from './counter-rates';
import { finishedTasks, liveSpeed, slotContextFill, type SlotInfo, type SlotsReading } from './llama-slots';
import { KEYS, parseSeriesKey, seriesKey, withLabels } from './series-keys';

export interface DeriveState {
  counters: CounterReading | null;
  processing: number | null;
  /** Slots read on the previous tick; null when that tick did not read /slots. */
  slots: SlotsReading | null;
  finished: WindowEntry[];
  /** When requests started being counted (for the per-minute scale while under a minute). */
  countingSince: number | null;
  /** When this server process was first seen (reset on restart). */
  upSince: number | null;
}

export function initialDeriveState(): DeriveState {
  return { counters: null, processing: null, slots: null, finished: [], countingSince: null, upSince: null };
}

/** A stored sample of a server: its time and the values a tick gave (keys as in series-keys.ts). */
export interface StoredSample {
  ts: number;
  values: Record<string, number | null>;
}

/**
 * The state the last tick left, rebuilt from the newest stored sample of the same server (a tab taking the
 * database over, a reload): its counters, so a restart in between is seen and rates span the gap, and when
 * its process was first seen, so uptime goes on. `model` picks a router model's keys (null: unlabelled
 * keys). A sample without counters or uptime gives the state of a server never seen.
 */
export function resumedDeriveState(stored: StoredSample, model: string | null): DeriveState {
  const counters: Record<string, number> = {};
  let uptime: number | null = null;
  for (const [key, v] of Object.entries(stored.values)) {
    if (v === null) continue;
    const { name, labels } = parseSeriesKey(key);
    const names = Object.keys(labels);
    const mine = model === null ? names.length === 0 : names.length === 1 && labels.model === model;
    if (!mine) continue;
    if (name === KEYS.uptime) uptime = v;
    else if (name.startsWith('llamacpp:')) counters[name] = v;
  }
  if (uptime === null || Object.keys(counters).length === 0) return initialDeriveState();
  return { ...initialDeriveState(), counters: { ts: stored.ts, values: counters }, upSince: stored.ts - uptime * 1000 };
}

export interface TickInput {
  ts: number;
  /** Parsed /metrics; null when it could not be read this tick. */
  metrics: PromParseResult | null;
  /** Parsed /slots; null when not read this tick (idle, sleeping, disabled). */
  slots: SlotInfo[] | null;
  totalSlots: number | null;
}

export interface TickOutput {
  values: Record<string, number | null>;
  /** A counter went down: the server restarted since the previous tick. */
  restart: boolean;
  state: DeriveState;
}

/** Every /metrics sample under its own key. NaN and ±Inf become null (unknown) so charts keep their scale. */
function metricValues(metrics: PromParseResult): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const s of metrics.samples) out[seriesKey(s.name, s.labels)] = Number.isFinite(s.value) ? s.value : null;
  return out;
}

function counterReading(metrics: PromParseResult, ts: number): { reading: CounterReading; counters: string[] } {
  const values: Record<string, number> = {};
  const counters: string[] = [];
  for (const s of metrics.samples) {
    const key = seriesKey(s.name, s.labels);
    values[key] = s.value;
    const type = metrics.families.get(s.name)?.type;
    if (type === 'counter' || (type === undefined && s.name.endsWith('_total'))) counters.push(key);
  }
  return { reading: { ts, values }, counters };
}

function slotValues(values: Record<string, number | null>, slots: SlotInfo[], prev: SlotsReading | null, ts: number) {
  const speed = liveSpeed(prev, { ts, slots });
  for (const s of slots) {
    const slot = { slot: String(s.id) };
    values[seriesKey(KEYS.slotBusy, slot)] = s.isProcessing ? 1 : 0;
    values[seriesKey(KEYS.slotCtxFill, slot)] = slotContextFill(s);
    values[seriesKey(KEYS.slotDecoded, slot)] = s.nDecoded;
    values[seriesKey(KEYS.slotGenTps, slot)] = s.isProcessing ? (speed.perSlot.get(s.id) ?? null) : 0;
  }
  values[KEYS.genTpsLive] = speed.total;
  values[KEYS.slotsBusy] = slots.filter((s) => s.isProcessing).length;
}

/** Derives one tick's values from /metrics and /slots readings. */
export function deriveTick(state: DeriveState, input: TickInput): TickOutput {
  const { ts } = input;
  const values: Record<string, number | null> = {};
  const next: DeriveState = { ...state };
  next.upSince ??= ts;
  let restart = false;
  let prevSlots = state.slots;

  if (input.metrics) {
    Object.assign(values, metricValues(input.metrics));
    const { reading, counters } = counterReading(input.metrics, ts);
    restart = detectReset(state.counters, reading, counters);
    const prev = restart ? null : state.counters;
    if (restart) {
      next.upSince = ts;
      prevSlots = null;
    }
    values[KEYS.promptTps] = counterRatio(prev, reading, KEYS.promptTokensTotal, KEYS.promptSecondsTotal);
    values[KEYS.genTps] = counterRatio(prev, reading, KEYS.tokensPredictedTotal, KEYS.tokensPredictedSecondsTotal);
    values[KEYS.promptTokensRate] = perSecond(prev, reading, KEYS.promptTokensTotal);
    values[KEYS.genTokensRate] = perSecond(prev, reading, KEYS.tokensPredictedTotal);

    const processing = reading.values[KEYS.requestsProcessing] ?? null;
    if (prev) {
      const genMoved = (values[KEYS.genTokensRate] ?? 0) > 0;
      const fromGauge =
        state.processing !== null && processing !== null ? Math.max(0, state.processing - processing) : 0;
      const fromSlots = prevSlots && input.slots ? finishedTasks(prevSlots, { ts, slots: input.slots }) : 0;
      const finished = Math.max(fromSlots, fromGauge, genMoved ? 1 : 0);
      next.countingSince ??= state.counters!.ts;
      next.finished = [...state.finished, { ts, count: finished }];
      values[KEYS.requestsFinished] = finished;
    }
    if (next.countingSince !== null) {
      const pm = perMinute(next.finished, ts, 60_000, next.countingSince);
      next.finished = pm.entries;
      values[KEYS.requestsPerMin] = pm.rate;
    }
    next.counters = reading;
    next.processing = processing;
    if (processing !== null) {
      values[KEYS.slotsBusy] = processing;
      if (processing === 0 && !input.slots) values[KEYS.genTpsLive] = 0;
    }
  }

  if (input.slots) slotValues(values, input.slots, prevSlots, ts);
  next.slots = input.slots ? { ts, slots: input.slots } : null;
  if (input.totalSlots !== null) values[KEYS.slotsTotal] = input.totalSlots;
  values[KEYS.uptime] = (ts - next.upSince) / 1000;
  return { values, restart, state: next };
}

/** Adds labels (the router's `model`) to every key of a tick's values. */
export function labelValues(values: Record<string, number | null>, labels: Record<string, string>) {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(values)) out[withLabels(k, labels)] = v;
  return out;
}
