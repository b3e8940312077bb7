/**
 * Local copies of Prometheus data: the list of kept copies, keeping a new one (read from Prometheus by
 * this page, stored by the worker) with its progress and outcome in words, opening and deleting one.
 */
import type { Endpoint } from '../lib/types';
import type { InstanceKind } from '../lib/promql';
import { instanceCharts, rateWindow } from '../lib/promql';
import { copyGrid, type InstanceChart, type PromCopyInfo, type PromCopyInput } from '../lib/prom-copy';
import { pullCopy, type PullProgress } from '../lib/prom-copy-pull';
import { explainPromFailure } from '../lib/prometheus-api';
import { errorText } from '../lib/error-text';
import { formatNumber } from '../lib/format';

/** What the state needs from the worker (the DbApi, or the in-thread API in tests). */
export interface CopiesSource {
  savePromCopy(c: PromCopyInput): Promise<PromCopyInfo> | PromCopyInfo;
  listPromCopies(): Promise<PromCopyInfo[]> | PromCopyInfo[];
  getPromCopy(id: number): Promise<{ info: PromCopyInfo; charts: InstanceChart[] } | null> | { info: PromCopyInfo; charts: InstanceChart[] } | null;
  deletePromCopy(id: number): Promise<boolean> | boolean;
}

/** How the page reaches one Prometheus: its range query, and its scrape interval (seconds). */
export interface CopyReach {
  endpoint: Endpoint;
  queryRange: Parameters<typeof pullCopy>[0];
  scrapeS: number;
}

/** Which instance to copy, and how far back. */
export interface CopyRequest {
  kind: InstanceKind;
  job: string;
  instance: string;
  model: string | null;
  rangeS: number;
}

const time = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
const stepWords = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`);

/** One sentence describing a copy: what it holds and over which span. */
export function copySummary(c: PromCopyInfo): string {
  return `${formatNumber(c.samples)} samples in ${c.series} line${c.series === 1 ? '' : 's'}, ${time(c.from)} to ${time(c.to)}, one point every ${stepWords(c.stepMs)}`;
}

export class PromCopiesState {
  #src: CopiesSource | null = null;
  #list = $state.raw<PromCopyInfo[]>([]);
  #progress = $state<PullProgress | null>(null);
  #result = $state<{ ok: boolean; text: string } | null>(null);
  #error = $state<string | null>(null);

  /** Every kept copy, newest first. */
  readonly list = $derived(this.#list);
  /** The copy being read, or null. */
  readonly progress = $derived(this.#progress);
  /** How the last "keep" ended, in words. */
  readonly result = $derived(this.#result);
  /** Why the list could not be read or a copy not deleted, or null. */
  readonly error = $derived(this.#error);

  /** Reads from `src` (the worker's API) from now on. */
  async connect(src: CopiesSource): Promise<void> {
    this.#src = src;
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.#src) return;
    try {
      this.#list = await this.#src.listPromCopies();
      this.#error = null;
    } catch (e) {
      this.#error = `The local copies could not be read: ${errorText(e)}`;
    }
  }

  /** The copies of one instance of one Prometheus endpoint, newest first. */
  of(endpointId: number, kind: InstanceKind, job: string, instance: string, model: string | null): PromCopyInfo[] {
    return this.#list.filter((c) => c.endpointId === endpointId && c.kind === kind && c.job === job && c.instance === instance && c.model === model);
  }

  /**
   * Reads the instance's charts over the range from Prometheus and stores them. Nothing is stored
   * unless every query answered; the outcome is in `result` (and returned).
   */
  async keep(reach: CopyReach | null, req: CopyRequest, now = Date.now()): Promise<PromCopyInfo | null> {
    if (!this.#src || this.#progress) return null;
    if (!reach) {
      this.#result = { ok: false, text: 'No copy was kept: this Prometheus endpoint is no longer in the list.' };
      return null;
    }
    const ep = reach.endpoint;
    const grid = copyGrid(Math.floor(now / 1000), req.rangeS, reach.scrapeS);
    const specs = instanceCharts(req.kind, { job: req.job, instance: req.instance }, rateWindow(grid.step, reach.scrapeS), req.model);
    this.#result = null;
    this.#progress = { done: 0, total: 0, samples: 0 };
    try {
      const r = await pullCopy(reach.queryRange, specs, grid, (p) => (this.#progress = p));
      if (!r.ok) {
        this.#result = { ok: false, text: `No copy was kept: ${explainPromFailure(r.failure, { url: ep.url, hasCredential: !!ep.apiKey, pageOrigin: globalThis.location?.origin ?? null })}` };
        return null;
      }
      const lines = r.builder.series();
      const info = await this.#src.savePromCopy({
        endpointId: ep.id, source: ep.url, kind: req.kind, job: req.job, instance: req.instance, model: req.model,
        startMs: grid.start * 1000, stepMs: grid.step * 1000, points: grid.points, lines,
      });
      const empty = info.samples === 0 ? ' Prometheus had no data for this instance in that range, so the copy is empty.' : '';
      const warn = r.warnings.length ? ` Prometheus warned: ${r.warnings.join('; ')}` : '';
      this.#result = { ok: true, text: `Kept a local copy of ${req.job} · ${req.instance}: ${copySummary(info)}.${empty}${warn}` };
      await this.refresh();
      return info;
    } catch (e) {
      this.#result = { ok: false, text: `No copy was kept: ${errorText(e)}` };
      return null;
    } finally {
      this.#progress = null;
    }
  }

  /** A stored copy with its charts, or null when it is gone. */
  async open(id: number): Promise<{ info: PromCopyInfo; charts: InstanceChart[] } | null> {
    if (!this.#src) return null;
    return this.#src.getPromCopy(id);
  }

  async remove(id: number): Promise<void> {
    if (!this.#src) return;
    try {
      await this.#src.deletePromCopy(id);
      this.#error = null;
    } catch (e) {
      this.#error = `The copy could not be deleted: ${errorText(e)}`;
    }
    await this.refresh();
  }
}

/** The page's local copies. */
export const promCopies = new PromCopiesState();
