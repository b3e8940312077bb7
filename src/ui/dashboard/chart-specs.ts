import type { Unit } from '../../lib/format';
import { MAX_SLOTS } from '../../lib/limits';
import { KEYS, seriesKey, withLabels } from '../../lib/series-keys';
import type { ChartSeries } from './chart-options';

/** One chart of an endpoint's panel. */
export interface ChartSpec {
  id: string;
  title: string;
  unit: Unit;
  series: ChartSeries[];
  yRange?: [number, number];
}

/** Per-slot series key, e.g. `slot_ctx_fill{slot="0"}` (router: plus `model="X"`). */
export function slotKey(name: string, slot: number, model?: string | null): string {
  return modelKey(seriesKey(name, { slot: String(slot) }), model);
}

/** A key as the collector writes it for one model of a router (unchanged for a plain server). */
export function modelKey(key: string, model?: string | null): string {
  return model ? withLabels(key, { model }) : key;
}

/** The charts of a llama-server endpoint with `slots` slots (of one router model when `model` is given). */
export function llamaCharts(slots: number, model?: string | null): ChartSpec[] {
  const k = (key: string) => modelKey(key, model);
  // Clamped here too: a slots_total stored before the parsers capped it may be any number.
  const slotIds = Array.from({ length: Math.min(MAX_SLOTS, Math.max(0, slots)) }, (_, i) => i);
  return [
    {
      id: 'tps', title: 'Tokens per second', unit: 'tok/s',
      series: [
        { key: k(KEYS.promptTps), label: 'Prompt' },
        { key: k(KEYS.genTpsLive), label: 'Generation (live)' },
        { key: k(KEYS.genTps), label: 'Generation (finished)' },
      ],
    },
    {
      id: 'requests', title: 'Requests', unit: 'count',
      series: [
        { key: k(KEYS.requestsProcessing), label: 'Processing' },
        { key: k(KEYS.requestsDeferred), label: 'Deferred' },
      ],
    },
    {
      id: 'slots', title: 'Slots busy', unit: 'count',
      series: [{ key: k(KEYS.slotsBusy), label: 'Busy' }],
    },
    {
      id: 'ctx', title: 'Context fill per slot', unit: 'ratio', yRange: [0, 1],
      series: slotIds.map((i) => ({ key: slotKey(KEYS.slotCtxFill, i, model), label: `Slot ${i}` })),
    },
  ];
}

/** Keys the card reads besides the charted ones. */
function cardKeys(model?: string | null): string[] {
  return [KEYS.uptime, KEYS.requestsPerMin, KEYS.slotsTotal].map((key) => modelKey(key, model));
}

/** Every key the charts and the card of a llama-server endpoint need, for one history query. */
export function llamaKeys(slots: number, model?: string | null): string[] {
  const keys = new Set<string>(cardKeys(model));
  for (const c of llamaCharts(slots, model)) for (const s of c.series) keys.add(s.key);
  return [...keys];
}
