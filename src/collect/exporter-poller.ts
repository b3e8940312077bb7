/**
 * Polls one companion exporter: at every interval the newest snapshot, from its stream
 * (collect/snapshot-stream.ts) while that has a fresh line, else from GET /api/v1/snapshot; one SampleFrame per new sample
 * (keys from lib/host-snapshot.ts snapshotSeries), stamped with the exporter's sample time. On every (re)connect it first asks
 * /api/v1/history for what the exporter sampled since the last frame stored (this poller's own, or
 * after a page load the newest in the database, via ctx.lastStoredTs; since 0 when neither is known),
 * so a closed tab or an outage leaves no gap within the exporter's history window without re-reading
 * the whole ring on every load.
 */

import type { EndpointStatus, SampleFrame } from '../lib/types';
import type { FetchFailure } from '../lib/explain-fetch-error';
import { explainExporterFailure } from '../lib/host-exporter-errors';
import { MAX_HISTORY_BYTES } from '../lib/limits';
import { historyRows, snapshotProblem, snapshotSeries, type ExporterHistory, type ExporterSnapshot } from '../lib/host-snapshot';
import { isDown, jsonOf } from '../lib/http-request';
import { isWatchedServer, type WatchedServer } from '../lib/exporter-llama';
import { LlamaGapFiller } from './llama-gap-fill';
import { PollLoop, pollerKind, type PollerContext, type PollEvent } from './poller';
import { freshWithinMs, SnapshotStream } from './snapshot-stream';

const SNAPSHOT = '/api/v1/snapshot';
/** A clock difference above this is corrected; below it, request latency and sampling age dominate. */
const SKEW_MS = 10_000;
const HISTORY = '/api/v1/history';
/** Host/GPU history rows per request: an hour at 1 s. */
const HISTORY_PAGE = 3600;

export class ExporterPoller extends PollLoop {
  #connected = false;
  /** Exporter time of the newest frame stored by this poller; null until the first one. */
  #lastTs: number | null = null;
  /** Added to exporter times so frames line up with this computer's clock; measured on each connect. */
  #offset = 0;
  /** Why the last history fill stored nothing, when the reason is worth telling (a reply too large). */
  #historyNote: string | null = null;
  /** Fills the gaps of the llama-servers this exporter also watches; null when storage cannot say what it holds. */
  readonly #filler: LlamaGapFiller | null;
  readonly #stream: SnapshotStream;
  /** The stream is offered to the llama pollers of the servers this exporter watches (collect/metrics-relay.ts). */
  #offered = false;

  constructor(ctx: PollerContext) {
    // History replies can hold an hour of samples: allow more than for a snapshot.
    super(ctx, { unexpected: 'Polling the exporter failed unexpectedly', minTimeoutMs: 5000 });
    this.#filler = ctx.gaps && ctx.endpoints
      ? new LlamaGapFiller({ exporter: ctx.endpoint, store: ctx.gaps, endpoints: ctx.endpoints, get: (p) => this.#json(p), now: ctx.now })
      : null;
    const ep = ctx.endpoint;
    this.#stream = new SnapshotStream({ env: this.env, baseUrl: ep.url, apiKey: ep.apiKey, everyMs: ep.intervalMs, signal: this.stopSignal, now: ctx.now });
  }

  async #json(path: string, maxBytes?: number) {
    return jsonOf(await this.get(path, true, maxBytes));
  }

  #fail(ts: number, f: FetchFailure, path: string): number {
    const events: PollEvent[] = [];
    const down = isDown(f);
    if (this.failures === 0 && this.#connected && down) events.push({ ts, kind: 'down', detail: f.kind });
    this.failures++;
    this.#connected = false;
    // No frame while the exporter is unreachable: the gap is filled from its history on reconnect,
    // and a placeholder row here would both split those lines and land in minutes already rolled up.
    this.save([], events);
    const ep = this.ctx.endpoint;
    const message = explainExporterFailure(f, { url: ep.url, path, pageOrigin: this.env.pageOrigin, hasToken: !!ep.apiKey });
    this.setStatus({ state: down ? 'down' : 'error', message, lastErrorAt: ts });
    return this.backoff();
  }

  /**
   * One poll; returns the delay until the next. Public for one-off connection tests, which pass
   * fill = false: they store nothing, so fetching history would be wasted.
   */
  async pollOnce(fill = true): Promise<number> {
    const now = this.ctx.now();
    const streamed = fill ? this.#stream.latest(freshWithinMs(this.ctx.endpoint.intervalMs)) : null;
    const r = streamed !== null ? { ok: true as const, value: streamed } : await this.#json(SNAPSHOT);
    if (!r.ok) return this.#fail(now, r.failure, SNAPSHOT);
    const problem = snapshotProblem(r.value);
    if (problem) return this.#fail(now, { kind: 'bad-body', detail: problem }, SNAPSHOT);
    const snap = r.value as ExporterSnapshot;
    const events: PollEvent[] = [];
    const frames: Omit<SampleFrame, 'endpointId'>[] = [];
    if (!this.#connected) {
      const skew = now - snap.ts;
      this.#offset = Math.abs(skew) > SKEW_MS ? skew : 0;
      if (this.failures > 0 && this.#lastTs !== null) events.push({ ts: snap.ts + this.#offset, kind: 'up' });
      if (fill) frames.push(...(await this.#backfill(snap.ts)));
      this.#connected = true;
    }
    this.failures = 0;
    if (this.#lastTs === null || snap.ts > this.#lastTs) {
      frames.push({ ts: snap.ts + this.#offset, values: snapshotSeries(snap) });
      this.#lastTs = snap.ts;
    }
    this.save(frames, events);
    const watched = (snap.llama ?? []).filter(isWatchedServer);
    // In the background: a day of history takes a while, and the snapshots must go on meanwhile.
    if (fill && this.#filler && watched.length > 0) void this.#filler.run(watched, this.#offset);
    const notes = [this.#offset ? clockNote(this.#offset) : null, sourceNotes(snap), this.#historyNote, this.#filler?.problem].filter(Boolean).join(' ');
    this.setStatus({ state: 'ok', message: notes || null, lastOkAt: now, info: infoOf(snap, watched) });
    // Only a poller that stores opens it: a one-off connection test reads one snapshot and is done.
    if (fill) {
      this.#stream.open();
      this.#offer();
    }
    return this.ctx.endpoint.intervalMs;
  }

  #offer(): void {
    const relay = this.ctx.relay;
    if (this.#offered || !relay) return;
    this.#offered = true;
    const withdraw = relay.offer(this.ctx.endpoint.id, () => this.#stream.newest());
    this.stopSignal.addEventListener('abort', withdraw, { once: true });
  }

  /**
   * Samples the exporter took after our last frame and before `until`, read in pages (a day at 1 s would
   * be one answer of tens of MB); what came before a failed page is kept.
   */
  async #backfill(until: number): Promise<Omit<SampleFrame, 'endpointId'>[]> {
    let since = this.#lastTs ?? this.#storedSince();
    const out: Omit<SampleFrame, 'endpointId'>[] = [];
    for (;;) {
      const h = await this.#json(`${HISTORY}?since=${since}&until=${until - 1}&limit=${HISTORY_PAGE}`, MAX_HISTORY_BYTES);
      this.#historyNote = !h.ok && h.failure.kind === 'too-large' ? explainExporterFailure(h.failure, { url: this.ctx.endpoint.url, path: HISTORY, hasToken: false }) : null;
      if (!h.ok || !isHistory(h.value)) return out;
      for (const row of historyRows(h.value, since)) if (row.ts < until) out.push({ ts: row.ts + this.#offset, values: row.values });
      // Exporters before paging send everything at once and no `more`.
      if (h.value.more !== true || typeof h.value.next !== 'number' || h.value.next <= since) return out;
      since = h.value.next;
    }
  }

  /** The newest stored sample in exporter time (stored frames carry the offset), or 0 when none. */
  #storedSince(): number {
    const ts = this.ctx.lastStoredTs?.(this.ctx.endpoint.id) ?? null;
    return ts === null ? 0 : Math.max(0, ts - this.#offset);
  }
}

function clockNote(offsetMs: number): string {
  const s = Math.round(Math.abs(offsetMs) / 1000);
  return `The exporter's clock is ${s} s ${offsetMs > 0 ? 'behind' : 'ahead of'} this computer's; its samples are shifted to this computer's time. Syncing its clock (NTP) avoids this.`;
}

function isHistory(x: unknown): x is ExporterHistory {
  const h = x as Partial<ExporterHistory> | null;
  return !!h && h.version === 1 && Array.isArray(h.ts) && !!h.series && typeof h.series === 'object';
}

/** What the GPU sources say when they are not simply working or absent (absent = no such GPU: normal). */
function sourceNotes(s: ExporterSnapshot): string | null {
  const notes = s.sources.filter((x) => x.state !== 'ok' && x.state !== 'absent' && x.message).map((x) => `${x.name}: ${x.message}`);
  return notes.length ? notes.join(' ') : null;
}

function infoOf(s: ExporterSnapshot, watched: WatchedServer[]): EndpointStatus['info'] {
  return {
    hostname: s.hostname,
    build: `exporter ${s.exporterVersion}`,
    gpus: s.gpus.map((g) => ({ id: g.id, name: g.name, vendor: g.vendor })),
    llama: watched.map((w) => ({ url: w.url, health: w.health, model: w.model })),
  };
}

/** The exporter entry of the collector's registry; its probe skips the history fill (nothing is stored). */
export const exporterPollerKind = pollerKind((ctx) => new ExporterPoller(ctx), (p) => p.pollOnce(false));
