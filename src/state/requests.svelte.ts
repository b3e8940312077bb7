/** The Requests view's state: the filter, the rows and percentiles it selects, and the tracker's settings. */
import type { RequestQuery, RequestRow, RequestStats } from '../lib/types';
import { errorText } from '../lib/error-text';

/** What the state needs from the worker (the DbApi, or a stand-in in tests). */
export interface RequestsSource {
  listRequests(q: RequestQuery): Promise<RequestRow[]> | RequestRow[];
  requestStats(q: RequestQuery): Promise<RequestStats> | RequestStats;
  requestSources(): Promise<{ endpointId: number; model: string; n: number }[]> | { endpointId: number; model: string; n: number }[];
  requestSettings(): Promise<RequestSettings> | RequestSettings;
  setRequestSettings(s: Partial<RequestSettings>): Promise<RequestSettings> | RequestSettings;
}

export interface RequestSettings {
  retentionDays: number;
  fastMs: number;
}

/** The time ranges offered, in ms. */
export const REQUEST_RANGES = [
  { label: 'Last 15 minutes', ms: 15 * 60_000 },
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { label: 'Last 7 days', ms: 7 * 24 * 3_600_000 },
] as const;

export interface RequestFilter {
  rangeMs: number;
  /** null: every endpoint. */
  endpointId: number | null;
  /** null: every model; '' the one model of a single server. */
  model: string | null;
}

/** Bucket width of the percentile charts: 5 minutes, wider for long ranges so a chart keeps ~300 points. */
export const bucketFor = (rangeMs: number) => Math.max(300_000, Math.ceil(rangeMs / 300 / 300_000) * 300_000);

export class RequestsState {
  #src: RequestsSource | null = null;
  #filter = $state<RequestFilter>({ rangeMs: 3_600_000, endpointId: null, model: null });
  #rows = $state.raw<RequestRow[]>([]);
  #stats = $state.raw<RequestStats | null>(null);
  #sources = $state.raw<{ endpointId: number; model: string; n: number }[]>([]);
  #settings = $state<RequestSettings | null>(null);
  #error = $state<string | null>(null);
  #to = $state(0);
  #pending: Promise<void> | null = null;
  #again = false;

  readonly filter = $derived(this.#filter);
  readonly rows = $derived(this.#rows);
  readonly stats = $derived(this.#stats);
  readonly sources = $derived(this.#sources);
  readonly settings = $derived(this.#settings);
  readonly error = $derived(this.#error);
  /** The end of the range last read (ms); the start is `to - filter.rangeMs`. */
  readonly to = $derived(this.#to);

  /** Starts reading from `src` (the worker's API). */
  async connect(src: RequestsSource): Promise<void> {
    this.#src = src;
    try {
      this.#settings = await src.requestSettings();
    } catch (e) {
      this.#error = `Could not read the request settings: ${errorText(e)}`;
    }
    await this.refresh();
  }

  setFilter(patch: Partial<RequestFilter>): Promise<void> {
    this.#filter = { ...this.#filter, ...patch };
    return this.refresh();
  }

  /** Re-reads rows and percentiles; calls while one runs are folded into one more read after it. */
  refresh(now = Date.now()): Promise<void> {
    if (this.#pending) {
      this.#again = true;
      return this.#pending;
    }
    this.#pending = this.#read(now).finally(() => {
      this.#pending = null;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#pending;
  }

  async #read(now: number): Promise<void> {
    const src = this.#src;
    if (!src) return;
    const f = this.#filter;
    const q: RequestQuery = { from: now - f.rangeMs, to: now + 1, endpointId: f.endpointId, model: f.model };
    try {
      const [rows, stats, sources] = await Promise.all([src.listRequests(q), src.requestStats({ ...q, bucketMs: bucketFor(f.rangeMs) }), src.requestSources()]);
      this.#rows = rows;
      this.#stats = stats;
      this.#sources = sources;
      this.#to = now;
      this.#error = null;
    } catch (e) {
      this.#error = `Could not read the requests: ${errorText(e)}`;
    }
  }

  /** Stores new settings; the poller uses the fast interval from its next poll. */
  async saveSettings(patch: Partial<RequestSettings>): Promise<boolean> {
    if (!this.#src) return false;
    try {
      this.#settings = await this.#src.setRequestSettings(patch);
      this.#error = null;
      return true;
    } catch (e) {
      this.#error = `The request settings were not saved: ${errorText(e)}`;
      return false;
    }
  }
}

export const requests = new RequestsState();
