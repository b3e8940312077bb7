import { readFileSync } from 'node:fs';
import { errorText } from '../src/lib/error-text';
import type { LlamaHistoryPage, RelayedMetrics, WatchEvent, WatchHealth, WatchedServer } from '../src/lib/exporter-llama';
import { Cancelled, fetchIo, isDown } from '../src/lib/http-request';
import { LlamaTick, type TickResult } from '../src/lib/llama-tick';
import { KEYS, parseSeriesKey } from '../src/lib/series-keys';
import type { ExporterOptions } from './options';
import { ColumnRing, llamaPrecise, ringCapacity } from './ring';

/** A server to watch and its key (null: none). */
export interface WatchTarget {
  url: string;
  apiKey: string | null;
}

/** The watch list with each key read from its file or the env list; a key file that cannot be read stops the start, in words. */
export function watchTargets(o: Pick<ExporterOptions, 'llama' | 'llamaKeyFiles' | 'llamaKeys'>, read = (p: string) => readFileSync(p, 'utf8')): WatchTarget[] {
  const keys = new Map(o.llamaKeys.map((k) => [k.url, k.key]));
  for (const f of o.llamaKeyFiles) {
    let text: string;
    try {
      text = read(f.path);
    } catch (e) {
      throw new Error(`cannot read the key file of ${f.url} (${f.path}): ${errorText(e)}`);
    }
    const key = text.trim();
    if (key === '') throw new Error(`the key file of ${f.url} (${f.path}) is empty`);
    keys.set(f.url, key);
  }
  return o.llama.map((url) => ({ url, apiKey: keys.get(url) ?? null }));
}

/** Markers older than the window are dropped; this many at most are kept whatever the window. */
const MAX_EVENTS = 10_000;
const BACKOFF_CAP_MS = 30_000;

/**
 * Watches one llama-server with the dashboard's own tick (lib/llama-tick.ts): the same requests, the same
 * rules (no /slots while idle or asleep, autoload=false for a router's models), the same derived series.
 * Each tick's values go into a columnar ring for the history window; a server that does not answer is
 * retried with backoff (interval, 2x, 4x ... 30 s).
 */
export class LlamaWatch {
  readonly url: string;
  readonly ring: ColumnRing;
  readonly #intervalMs: number;
  readonly #historyMs: number;
  readonly #tick: LlamaTick;
  readonly #stop = new AbortController();
  readonly #events: WatchEvent[] = [];
  #last: TickResult | null = null;
  #lastOkTs: number | null = null;
  #failures = 0;
  /** An error thrown by a read (a bug, not the server's answer), until the next read goes through. */
  #unexpected: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** Per-slot values of the last /slots read (ctx fill, live speed), for /metrics. */
  #slots = new Map<string, number | null>();
  /** The body of the last /metrics read of a single server and when it came; cleared by a tick that is not clean. */
  #metricsBody: RelayedMetrics | null = null;

  constructor(target: WatchTarget, o: { intervalMs: number; historyMs: number; fetch?: typeof fetch; now?: () => number }) {
    this.url = target.url;
    this.#intervalMs = o.intervalMs;
    this.#historyMs = o.historyMs;
    this.ring = new ColumnRing(ringCapacity(o.historyMs, o.intervalMs), llamaPrecise);
    const timeoutMs = Math.max(2000, Math.min(o.intervalMs * 3, 10_000));
    const now = o.now ?? Date.now;
    const io = fetchIo({ env: { fetch: o.fetch ?? fetch, pageProtocol: null, pageOrigin: null }, baseUrl: target.url, apiKey: target.apiKey, timeoutMs, signal: this.#stop.signal });
    this.#tick = new LlamaTick({
      io: {
        ...io,
        get: async (path, opts) => {
          const r = await io.get(path, opts);
          // Only the unnamed model's: a router's per-model bodies are not relayed.
          if (path === '/metrics') this.#metricsBody = r.ok ? { ts: now(), text: r.text } : null;
          return r;
        },
      },
      now,
      url: target.url,
      pageOrigin: null,
      hasApiKey: !!target.apiKey,
    });
  }

  start(): void {
    const loop = async () => {
      const began = Date.now();
      let delay: number;
      try {
        delay = await this.once();
      } catch (e) {
        if (e instanceof Cancelled) return;
        // A bug in reading one server must not end the exporter: say it in the snapshot, try again later.
        this.#unexpected = `reading this server failed unexpectedly: ${errorText(e)}`;
        delay = Math.min(BACKOFF_CAP_MS, this.#intervalMs * 2 ** this.#failures++);
      }
      if (this.#stop.signal.aborted) return;
      this.#timer = setTimeout(loop, Math.max(0, delay - (Date.now() - began)));
    };
    void loop();
  }

  stop(): void {
    this.#stop.abort();
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** One tick: read, keep, and return the wait before the next. */
  async once(): Promise<number> {
    const wasUp = this.#last !== null && this.#failures === 0;
    const r = await this.#tick.tick();
    const ev: WatchEvent[] = [];
    if (r.healthy && this.#failures > 0 && this.#last?.state === 'down') ev.push({ ts: r.ts, kind: 'up' });
    if (r.failure && wasUp && isDown(r.failure)) ev.push({ ts: r.ts, kind: 'down', detail: r.failure.kind });
    ev.push(...r.events);
    this.#keepEvents(r.ts, ev);
    this.ring.push(r.ts, r.values);
    this.#last = r;
    if (r.failure || r.state !== 'ok' || r.message !== null || r.isRouter || ev.length > 0) this.#metricsBody = null;
    this.#keepSlots(r);
    if (r.failure) {
      this.#failures++;
      return Math.min(BACKOFF_CAP_MS, this.#intervalMs * 2 ** (this.#failures - 1));
    }
    this.#failures = 0;
    this.#unexpected = null;
    this.#lastOkTs = r.ts;
    return this.#intervalMs;
  }

  /** What the snapshot says about this server; `withMetrics`: its last /metrics body too (snapshots, not history). */
  status(withMetrics = false): WatchedServer {
    const r = this.#last;
    const span = this.ring.span;
    return {
      url: this.url,
      health: this.#unexpected ? 'error' : healthOf(r),
      message: this.#unexpected ?? r?.message ?? null,
      build: r?.info.build ?? null,
      model: r?.info.model ?? null,
      isRouter: r?.isRouter ?? false,
      intervalMs: this.#intervalMs,
      lastOkTs: this.#lastOkTs,
      from: span?.from ?? null,
      to: span?.to ?? null,
      ...(withMetrics ? { metrics: this.#metricsBody } : {}),
    };
  }

  /** One page of history, since < ts <= until. */
  page(since: number, until: number, limit: number): LlamaHistoryPage {
    const p = this.ring.page(since, until, limit);
    const last = p.ts.at(-1);
    const upTo = p.more && last !== undefined ? last : until;
    const s = this.status();
    return {
      version: 1, url: this.url, build: s.build, model: s.model, intervalMs: this.#intervalMs,
      ts: p.ts, series: p.series,
      events: this.#events.filter((e) => e.ts > since && e.ts <= upTo),
      more: p.more, next: p.more ? (last ?? null) : null,
    };
  }

  /** Per-slot gauges only /slots shows, for /metrics; empty while the server cannot be read. */
  slotGauges(): { key: string; name: string; labels: Record<string, string>; value: number | null }[] {
    return [...this.#slots].map(([key, value]) => ({ key, ...parseSeriesKey(key), value }));
  }

  #keepEvents(ts: number, ev: WatchEvent[]): void {
    this.#events.push(...ev);
    const old = this.#events.findIndex((e) => e.ts >= ts - this.#historyMs);
    if (old > 0) this.#events.splice(0, old);
    if (this.#events.length > MAX_EVENTS) this.#events.splice(0, this.#events.length - MAX_EVENTS);
  }

  #keepSlots(r: TickResult): void {
    if (r.failure || r.state === 'loading') {
      this.#slots.clear();
      return;
    }
    const keys = Object.keys(r.values);
    if (keys.some((k) => nameOf(k) === KEYS.slotCtxFill)) {
      this.#slots = new Map(keys.filter(isSlotGauge).map((k) => [k, r.values[k]]));
      return;
    }
    // /slots is read whenever a request runs: not read means nothing is generating now.
    for (const k of this.#slots.keys()) if (nameOf(k) !== KEYS.slotCtxFill) this.#slots.set(k, 0);
    for (const k of keys) if (nameOf(k) === KEYS.genTpsLive) this.#slots.set(k, r.values[k]);
  }
}

const nameOf = (key: string) => key.split('{', 1)[0];
const isSlotGauge = (key: string) => [KEYS.slotCtxFill, KEYS.slotGenTps, KEYS.genTpsLive].includes(nameOf(key) as never);

function healthOf(r: TickResult | null): WatchHealth {
  if (!r) return 'starting';
  if (r.failure?.kind === 'http' && r.failure.status === 401) return 'unauthorized';
  switch (r.state) {
    case 'ok':
    case 'busy':
      return 'up';
    case 'sleeping':
    case 'loading':
    case 'down':
    case 'error':
      return r.state;
  }
}
