import { untrack } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import type { DbEvent, HistoryResult, LatestValues, SeriesEvent } from '../lib/types';
import { errorText } from '../lib/error-text';
import type { Port } from '../worker/surface';

/** A live window that slides with the clock, or a fixed custom window (ms since epoch). */
export type TimeRange = { kind: 'live'; spanMs: number } | { kind: 'custom'; from: number; to: number };

/** The picker's preset windows. */
export const RANGE_PRESETS: readonly { label: string; spanMs: number }[] = [
  { label: '10 min', spanMs: 10 * 60_000 },
  { label: '1 h', spanMs: 3600_000 },
  { label: '6 h', spanMs: 6 * 3600_000 },
  { label: '24 h', spanMs: 24 * 3600_000 },
  { label: '7 d', spanMs: 7 * 24 * 3600_000 },
];

/** What the metrics state needs from the worker. */
export type MetricsSource = Port<'history' | 'latest' | 'events'>;

/** Columnar chart data of one endpoint; ts in seconds like uPlot wants it. */
export interface ChartData {
  ts: number[];
  values: Record<string, (number | null)[]>;
  tier: HistoryResult['tier'];
}

/**
 * Live points appended since the last query, as a share of the requested points, before the window is
 * re-queried: a downsampled range is re-bucketed every few minutes rather than on every tick.
 */
const APPEND_SHARE = 0.25;

/**
 * The live window's end moves in whole seconds, so that every chart moves once per second however many
 * frames events and clock ticks arrive in it: a chart whose data did not change is redrawn at most once
 * a second. Rounded up, so the newest sample stays inside the window.
 */
const windowEnd = (t: number) => Math.ceil(t / 1000) * 1000;

/**
 * A clock tick moves the live window only when no frames event moved it for this long (ms): while
 * samples arrive the window moves with them, in the same redraw as the new points.
 */
const CLOCK_YIELD_MS = 1500;

interface Tracked {
  keys: string[];
  /** Bumped per query, so a slow answer to an older query cannot overwrite a newer one. */
  generation: number;
  /** Points appended since the last query. */
  appended: number;
}

/**
 * Chart data for the dashboard: draws the selected range from the database, then appends each tick's
 * latest values instead of re-querying the whole window every second.
 */
export class MetricsState {
  #source: MetricsSource | null = null;
  #range = $state<TimeRange>({ kind: 'live', spanMs: RANGE_PRESETS[0].spanMs });
  #now = $state(windowEnd(Date.now()));
  /** Page time (performance.now) of the last frames event that moved the live window. */
  #framesMovedAt = -Infinity;
  #points = $state(600);
  #data = new SvelteMap<number, ChartData>();
  #events = new SvelteMap<number, SeriesEvent[]>();
  #latest = new SvelteMap<number, LatestValues>();
  #tracked = new Map<number, Tracked>();
  #error = $state<string | null>(null);
  /** The tab is hidden: nothing is drawn, so stored ticks only mark the charts stale. */
  #hidden = false;
  /** Something changed while hidden: the charts and cards are read again when the tab shows. */
  #stale = false;
  /** Wall time of the last history query per endpoint, in ms (for the note under the charts). */
  #queryMs = new SvelteMap<number, number>();

  readonly range = $derived(this.#range);
  /** The visible window in ms. */
  readonly window = $derived(
    this.#range.kind === 'live'
      ? { from: this.#now - this.#range.spanMs, to: this.#now }
      : { from: this.#range.from, to: this.#range.to },
  );
  readonly points = $derived(this.#points);
  /** Last failure to read history, in words, or null. */
  readonly error = $derived(this.#error);

  /** Hands in the worker API; queries start once this is set. */
  connect(source: MetricsSource) {
    this.#source = source;
    this.#reloadAll();
    void this.#refreshLatest([...this.#tracked.keys()]);
  }

  /** Chart data of one endpoint, or undefined before its first query answered. */
  data(endpointId: number): ChartData | undefined {
    return this.#data.get(endpointId);
  }

  /** Restart, model-change, down and up events of one endpoint inside the window. */
  events(endpointId: number): SeriesEvent[] {
    return this.#events.get(endpointId) ?? [];
  }

  /** The most recent values the collector stored for one endpoint. */
  latest(endpointId: number): LatestValues | undefined {
    return this.#latest.get(endpointId);
  }

  /** How long the last history query of this endpoint took (ms, measured from the page). */
  queryMs(endpointId: number): number | undefined {
    return this.#queryMs.get(endpointId);
  }

  /** Starts (or updates) charting these keys of one endpoint; a new key set re-queries. */
  track(endpointId: number, keys: string[]) {
    const t = this.#tracked.get(endpointId);
    if (t && t.keys.join('\n') === keys.join('\n')) return;
    this.#tracked.set(endpointId, { keys, generation: t?.generation ?? 0, appended: 0 });
    // Components call this from an effect: the state read while starting the query must not become
    // that effect's dependency (it would re-run every second as the live window slides).
    untrack(() => {
      void this.#reload(endpointId);
      void this.#refreshLatest([endpointId]);
    });
  }

  /** Stops charting an endpoint (its card went away). */
  untrack(endpointId: number) {
    this.#tracked.delete(endpointId);
    this.#data.delete(endpointId);
    this.#events.delete(endpointId);
    this.#latest.delete(endpointId);
  }

  setRange(range: TimeRange) {
    this.#range = range;
    this.#now = windowEnd(Date.now());
    this.#reloadAll();
  }

  /** The charts' pixel width: the worker downsamples to this many points. Small changes keep the data. */
  setPoints(px: number) {
    untrack(() => {
      const p = Math.max(50, Math.round(px));
      if (Math.abs(p - this.#points) / this.#points < 0.15) return;
      this.#points = p;
      this.#reloadAll();
    });
  }

  /**
   * Slides a live window forward with the clock, so a silent endpoint shows its gap. While frames arrive
   * they move the window themselves, and the clock leaves it alone.
   */
  tick(now = Date.now()) {
    if (this.#range.kind !== 'live' || this.#hidden) return;
    if (performance.now() - this.#framesMovedAt < CLOCK_YIELD_MS) return;
    this.#moveTo(now);
  }

  #moveTo(t: number) {
    const end = windowEnd(t);
    if (end > this.#now) this.#now = end;
  }

  /**
   * The tab was hidden or shown. Hidden, the charts and cards stand still (collection and storage go on in
   * the worker); shown again, they catch up at once from the database.
   */
  setHidden(hidden: boolean) {
    if (hidden === this.#hidden) return;
    this.#hidden = hidden;
    // The worker sends a hidden page no ticks: whatever came meanwhile is read when it shows.
    if (hidden) {
      this.#stale = true;
      return;
    }
    if (this.#range.kind === 'live') this.#moveTo(Date.now());
    if (!this.#stale) return;
    this.#stale = false;
    untrack(() => {
      this.#reloadAll();
      void this.#refreshLatest([...this.#tracked.keys()]);
    });
  }

  /**
   * New samples were stored: the event carries each endpoint's newest values and the stored events, so
   * the cards update and the charts of a live window grow without asking the worker back. Backfilled ones
   * lie in the past (a gap filled from an exporter): those charts and markers are read again.
   */
  onFrames(ev: Extract<DbEvent, { type: 'frames' }>) {
    if (this.#hidden) {
      this.#stale = true;
      return;
    }
    if (ev.backfilled) {
      for (const id of ev.endpointIds) if (this.#tracked.has(id)) void this.#reload(id);
      return;
    }
    for (const l of ev.latest) if (this.#tracked.has(l.endpointId)) this.#latest.set(l.endpointId, l);
    for (const e of ev.events) {
      if (this.#tracked.has(e.endpointId)) this.#events.set(e.endpointId, [...(this.#events.get(e.endpointId) ?? []), e]);
    }
    if (this.#range.kind !== 'live') return;
    this.#moveTo(ev.ts);
    this.#framesMovedAt = performance.now();
    for (const l of ev.latest) this.#append(l);
  }

  /** The stored history changed as a whole (cleared or imported): every chart starts over. */
  async onHistoryReset() {
    this.#latest.clear();
    this.#reloadAll();
    await this.#refreshLatest([...this.#tracked.keys()]);
  }

  #reloadAll() {
    for (const id of this.#tracked.keys()) void this.#reload(id);
  }

  async #refreshLatest(ids: number[]): Promise<void> {
    const src = this.#source;
    if (!src || ids.length === 0) return;
    const latest = (await Promise.all(ids.map((id) => src.latest(id)))).filter((l) => l != null);
    for (const l of latest) this.#latest.set(l.endpointId, l);
  }

  #append(l: LatestValues) {
    const t = this.#tracked.get(l.endpointId);
    const d = this.#data.get(l.endpointId);
    if (!t || !d) return;
    const tsSec = l.ts / 1000;
    if (d.ts.length > 0 && tsSec <= d.ts[d.ts.length - 1]) return;
    if (++t.appended > this.#points * APPEND_SHARE) {
      void this.#reload(l.endpointId);
      return;
    }
    const fromSec = this.window.from / 1000;
    let drop = 0;
    while (drop < d.ts.length && d.ts[drop] < fromSec) drop++;
    const values: ChartData['values'] = {};
    for (const k of t.keys) {
      const col = d.values[k] ?? new Array<number | null>(d.ts.length).fill(null);
      values[k] = [...col.slice(drop), l.values[k] ?? null];
    }
    this.#data.set(l.endpointId, { ts: [...d.ts.slice(drop), tsSec], values, tier: d.tier });
  }

  async #reload(endpointId: number) {
    const t = this.#tracked.get(endpointId);
    if (!this.#source || !t) return;
    const generation = ++t.generation;
    t.appended = 0;
    const { from, to } = this.window;
    const started = performance.now();
    try {
      const [res, evs] = await Promise.all([
        this.#source.history({ endpointId, keys: t.keys, from, to, points: this.#points }),
        this.#source.events(endpointId, from, to),
      ]);
      if (this.#tracked.get(endpointId)?.generation !== generation) return;
      this.#queryMs.set(endpointId, performance.now() - started);
      this.#data.set(endpointId, res);
      this.#events.set(endpointId, evs);
      this.#error = null;
    } catch (e) {
      this.#error = `Could not read the history from the local database: ${errorText(e)}`;
    }
  }
}

/** The dashboard's chart data. */
export const metrics = new MetricsState();
