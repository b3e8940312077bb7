/**
 * Filling a llama-server's missed spans from a Prometheus that scrapes the same server: which instance
 * that is (same host:port, or a link made by hand when relabeling hides the address), the one range query
 * per chunk of a gap, and the samples it answers turned into the dashboard's frames. The rates are derived
 * from the counters at each step with lib/counter-rates.ts, the code the dashboard's own polling uses, so a
 * filled span reads like a polled one (at the fill's step, not PromQL rate()). Pure.
 */

import { counterRatio, perSecond, type CounterReading } from './counter-rates';
import type { Span } from './gap-plan';
import type { Labels, RangeSeries } from './prometheus-api';
import { matchers, regexLiteral } from './promql';
import { KEYS, seriesKey } from './series-keys';

/** Metadata key prefix (`link.prometheus.<llamaEndpointId>`) of a hand-made link to a Prometheus target. */
export const PROM_LINK_PREFIX = 'link.prometheus.';

/** Llama endpoint `<id>` is the target `job`/`instance` that Prometheus endpoint `prometheusId` scrapes. */
export interface PrometheusLink {
  prometheusId: number;
  job: string;
  instance: string;
}

/** Prefix of a 'filled' event's source when the samples came from Prometheus (lib/gap-plan.ts filledDetail). */
export const PROM_SOURCE = 'Prometheus at ';

/** The words on a filled span: which kind of source the samples came from. */
export function filledLabel(source: string): string {
  return source.startsWith(PROM_SOURCE) ? 'from Prometheus' : 'from the exporter';
}

/** What a filled span lacks, in words, for its tooltip ('' for an exporter's fill, which has every series). */
export function filledNote(source: string): string {
  return source.startsWith(PROM_SOURCE)
    ? ': only the counters and gauges Prometheus scraped, with the token rates and speeds derived from them at the polling interval; no per-slot series'
    : '';
}

/** The series a fill asks for: the scrape's health, llama-server's counters and its gauges. */
export const FILL_METRICS = [
  'up',
  KEYS.promptTokensTotal, KEYS.promptSecondsTotal, KEYS.tokensPredictedTotal, KEYS.tokensPredictedSecondsTotal,
  KEYS.promptTokensCachedTotal, KEYS.requestsProcessing, KEYS.requestsDeferred, 'llamacpp:n_busy_slots_per_decode',
] as const;

/** host:port as Prometheus writes a static target's `instance` (the port left out when the URL had none). */
function addresses(url: string): string[] {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return [...new Set([u.host, `${u.hostname}:${port}`])];
  } catch {
    return [];
  }
}

/**
 * The labels that pick llama endpoint `ep`'s target out of what Prometheus `prometheusId` scrapes: the
 * link when one exists (it wins, and names another Prometheus only to say "not this one"), else the
 * endpoint's address as `instance`. Null: this Prometheus is not known to scrape it.
 */
export function fillSelector(prometheusId: number, ep: { kind: string; url: string }, link: PrometheusLink | null): Labels | null {
  if (ep.kind !== 'llama') return null;
  if (link) return link.prometheusId === prometheusId ? { job: link.job, instance: link.instance } : null;
  const a = addresses(ep.url);
  return a.length ? { instance: a.join('|') } : null;
}

/** The one query of a fill: every FILL_METRICS series of the target (several `instance` spellings as a regex). */
export function fillQuery(sel: Labels): string {
  const names = `__name__=~"${FILL_METRICS.map(regexLiteral).join('|')}"`;
  const { instance, ...rest } = sel;
  const inst = instance.includes('|') && !('job' in sel)
    ? `instance=~${JSON.stringify(instance.split('|').map(regexLiteral).join('|'))}`
    : `instance=${JSON.stringify(instance)}`;
  const more = matchers(rest).slice(1, -1);
  return `{${[names, inst, more].filter(Boolean).join(',')}}`;
}

/** Prometheus answers at most 11,000 points per series; a chunk stays under that. */
export const MAX_STEPS = 10_000;

/**
 * The range queries (seconds) for a gap (ms) at `stepS`: each starts one step early so the first sample of
 * the gap has a previous reading to derive its rates from.
 */
export function fillChunks(gap: Span, stepS: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const last = Math.floor(gap.to / 1000);
  for (let from = Math.ceil(gap.from / 1000); from <= last; from += MAX_STEPS * stepS) {
    out.push({ start: from - stepS, end: Math.min(last, from + (MAX_STEPS - 1) * stepS) });
  }
  return out;
}

/** One filled sample: ms on Prometheus's clock, values by series key. */
export interface FilledSample {
  ts: number;
  values: Record<string, number | null>;
}

/**
 * A range answer as frames inside `gap` (ms): at each step where the scrape's `up` is known, the raw
 * series plus what the dashboard derives from them (token rates, speeds, busy slots). Router targets
 * carry a `model` label, which the keys keep. A counter that went down yields no rate (a restart).
 */
export function samplesFromMatrix(series: readonly RangeSeries[], gap: Span): FilledSample[] {
  const byModel = new Map<string, Map<number, Record<string, number>>>();
  for (const s of series) {
    const name = s.labels.__name__;
    if (!name) continue;
    const model = s.labels.model ?? '';
    const rows = byModel.get(model) ?? new Map<number, Record<string, number>>();
    byModel.set(model, rows);
    s.ts.forEach((t, i) => {
      if (!Number.isFinite(s.values[i])) return;
      const ms = Math.round(t * 1000);
      const row = rows.get(ms) ?? {};
      // Two jobs scraping one address (a router and its models) are told apart by model; else the larger wins.
      row[name] = Math.max(row[name] ?? -Infinity, s.values[i]);
      rows.set(ms, row);
    });
  }
  const out = new Map<number, Record<string, number | null>>();
  for (const [model, rows] of byModel) {
    const key = (k: string) => seriesKey(k, model ? { model } : null);
    let prev: CounterReading | null = null;
    for (const ts of [...rows.keys()].sort((a, b) => a - b)) {
      const cur: CounterReading = { ts, values: rows.get(ts)! };
      if (cur.values.up === undefined) continue;
      if (ts >= gap.from && ts <= gap.to) {
        const v = out.get(ts) ?? {};
        for (const [k, x] of Object.entries(cur.values)) v[k === 'up' ? KEYS.up : key(k)] = x;
        v[key(KEYS.promptTokensRate)] = perSecond(prev, cur, KEYS.promptTokensTotal);
        v[key(KEYS.genTokensRate)] = perSecond(prev, cur, KEYS.tokensPredictedTotal);
        v[key(KEYS.promptTps)] = counterRatio(prev, cur, KEYS.promptTokensTotal, KEYS.promptSecondsTotal);
        v[key(KEYS.genTps)] = counterRatio(prev, cur, KEYS.tokensPredictedTotal, KEYS.tokensPredictedSecondsTotal);
        if (cur.values[KEYS.requestsProcessing] !== undefined) v[key(KEYS.slotsBusy)] = cur.values[KEYS.requestsProcessing];
        out.set(ts, v);
      }
      prev = cur;
    }
  }
  return [...out.entries()].sort((a, b) => a[0] - b[0]).map(([ts, values]) => ({ ts, values }));
}
