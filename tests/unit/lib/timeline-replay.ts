/** Replays the real 100 ms /slots + /metrics timelines as a poller at another interval would have seen them. */
import { readFileSync } from 'node:fs';
import { parseSlots } from '../../../src/lib/llama-slots';
import { parsePrometheus } from '../../../src/lib/prometheus';
import { requestCounters, type RequestObservation } from '../../../src/lib/request-tracker';

export interface TimelineEvent {
  t_ms: number;
  kind: 'slots' | 'metrics' | 'request_sent' | 'first_token' | 'request_done';
  body?: unknown;
  id?: number;
  id_slot?: number;
  tokens_predicted?: number;
  timings?: { cache_n: number; prompt_n: number; prompt_ms: number; predicted_n: number; predicted_ms: number; predicted_per_second: number };
}

export function loadTimeline(name: string): TimelineEvent[] {
  const text = readFileSync(new URL(`../../fixtures/llama-server/timeline/${name}`, import.meta.url), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as TimelineEvent);
}

/**
 * What a poller every `intervalMs` (first tick `phaseMs` after the capture starts) reads: /metrics, then
 * /slots only while requests are processing or deferred (and on the first tick), as the dashboard does.
 * With `fastMs`, /slots alone is also read every `fastMs` in between while the last read saw requests.
 */
export function sampleTimeline(events: TimelineEvent[], intervalMs: number, phaseMs = 0, fastMs?: number): RequestObservation[] {
  const metrics = events.filter((e) => e.kind === 'metrics');
  const slots = events.filter((e) => e.kind === 'slots');
  const out: RequestObservation[] = [];
  const t0 = events[0].t_ms + phaseMs;
  const last = metrics[metrics.length - 1].t_ms;
  const step = fastMs ?? intervalMs;
  let prevIdx = -1;
  let busy = false;
  for (let i = 0, t = t0; t < last + intervalMs; i++, t = t0 + i * step) {
    // The last tick reads the last capture: every request has ended by then.
    const found = metrics.findIndex((e) => e.t_ms >= t);
    const mi = found < 0 ? metrics.length - 1 : found;
    if (mi === prevIdx) continue;
    const m = metrics[mi];
    // The capture reads /slots just before /metrics: take the one that belongs to this metrics read.
    const si = slots.findLastIndex((e) => e.t_ms <= m.t_ms + 5);
    const slotsNow = si >= 0 ? parseSlots(slots[si].body) : null;
    if ((i * step) % intervalMs !== 0) {
      if (!busy) continue;
      prevIdx = mi;
      busy = slotsNow?.some((s) => s.isProcessing) ?? false;
      out.push({ ts: slots[si].t_ms, slots: slotsNow, counters: null });
      continue;
    }
    prevIdx = mi;
    const counters = requestCounters(parsePrometheus(m.body as string));
    busy = counters ? counters.processing + counters.deferred > 0 : true;
    out.push({ ts: m.t_ms, slots: busy || out.length === 0 ? slotsNow : null, counters });
  }
  return out;
}
