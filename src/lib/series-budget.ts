/**
 * Which series an endpoint may store, and how many. Each distinct key becomes a position in the
 * endpoint's stored layouts, so a server that invents a new label value on every tick would otherwise
 * grow the database and the cost of every tick without end (measured before this bound: 315 MB and
 * 78 ms per tick after 50 minutes). Pure.
 */

import { EXPORTER_SERIES } from './host-snapshot';
import { MAX_SERIES } from './limits';
import { KEYS } from './series-keys';

/** The kinds of endpoint; a Prometheus endpoint stores no series (its history stays in Prometheus). */
export type SeriesSource = 'llama' | 'exporter' | 'prometheus';

/** Names the llama-server collector derives itself (all of KEYS that are not /metrics families). */
const LLAMA_DERIVED: ReadonlySet<string> = new Set(Object.values(KEYS).filter((k) => !k.startsWith('llamacpp:')));

const nameOf = (key: string) => {
  const open = key.indexOf('{');
  return open < 0 ? key : key.slice(0, open);
};

/**
 * True for the keys the dashboard stores for this kind of endpoint: for a llama-server, the `llamacpp:`
 * families (including any a newer build adds) and the keys derived from them; for an exporter, the
 * series of its snapshot. Anything else (a proxy's own metrics, garbage) is not stored.
 */
export function isStoredSeries(source: SeriesSource, key: string): boolean {
  const name = nameOf(key);
  if (source === 'prometheus') return false;
  return source === 'llama' ? name.startsWith('llamacpp:') || LLAMA_DERIVED.has(name) : EXPORTER_SERIES.has(name);
}

/** Status text for an endpoint that sent more series than are stored. */
export function tooManySeriesText(max = MAX_SERIES): string {
  return `This server exposes more than ${max} series; only the first ${max} are stored (the rest are not charted). A label whose value changes on every read (an id, a timestamp) is the usual cause.`;
}

/**
 * The series budget of one endpoint: the first `max` distinct keys it sends are admitted for as long
 * as it is polled; later new keys are dropped. Keys it stops sending keep their place, so a series
 * that comes and goes (per-slot values read only while busy) is never pushed out by a newcomer.
 */
export class SeriesBudget {
  readonly #source: SeriesSource;
  readonly #max: number;
  readonly #admitted = new Set<string>();

  constructor(source: SeriesSource, max = MAX_SERIES) {
    this.#source = source;
    this.#max = max;
  }

  /** The values of one frame this endpoint may store, and how many keys were dropped for the cap. */
  admit(values: Record<string, number | null>): { values: Record<string, number | null>; overCap: number } {
    const out: Record<string, number | null> = {};
    let overCap = 0;
    for (const key of Object.keys(values)) {
      if (!isStoredSeries(this.#source, key)) continue;
      if (!this.#admitted.has(key)) {
        if (this.#admitted.size >= this.#max) {
          overCap++;
          continue;
        }
        this.#admitted.add(key);
      }
      out[key] = values[key];
    }
    return { values: out, overCap };
  }
}
