import type { Database } from '@sqlite.org/sqlite-wasm';
import type { DbEvent, SampleFrame, SeriesEvent } from '../lib/types';
import type { Collector, CollectorDeps } from '../collect/collector';
import { FrameQueue, framesEvent } from './frame-queue';
import { HotWindow } from './hot-window';
import * as endpoints from '../db/endpoints';
import * as metrics from '../db/metrics';
import { pruneWrites, WRITE_ID_KEEP_MS } from '../db/rpc-writes';
import * as retention from '../db/retention-settings';
import * as backfill from '../db/backfill';
import * as requests from '../db/requests';
import { getMeta } from '../db/metadata';
import { LINK_PREFIX, type ExporterLink } from '../lib/exporter-llama';
import { errorText } from '../lib/error-text';
import { PROM_LINK_PREFIX, type PrometheusLink } from '../lib/prom-gap-plan';
import { simulatedFetch } from '../collect/sim-fetch';
import { SIM_META_KEY } from '../lib/simulate/host';

/** Starts polling (src/collect/collector.ts createCollector); injected so unit tests choose. */
export type CollectorFactory = (deps: CollectorDeps) => Collector;

/** The frame queue's pace while no poller runs (frames stored by hand); the endpoint form's default interval. */
const DEFAULT_INTERVAL_MS = 1000;

/** Rows the retention pass handles per step, so queries from the page interleave with it. */
const RETENTION_BATCH = 5000;

export interface ServicesDeps {
  /** The open database, or null while none is. */
  db(): Database | null;
  /** Runs fn in one transaction, with storage errors explained. */
  write<T>(fn: (d: Database) => T): T;
  emit(ev: DbEvent): void;
  /** A problem for the user's eyes (null: the problem `cleared` named is over). */
  warn(message: string | null, cleared?: string): void;
  now(): number;
  collector?: CollectorFactory;
  /** How often old samples are rolled up and pruned (ms); 0 turns the timer off. */
  retentionEveryMs: number;
}

/**
 * What runs while this worker owns the database: the collector (polling), the frame queue (one commit
 * and one 'frames' event per tick) and the retention timer (rollups, pruning, forgetting old write ids).
 */
export function createServices(deps: ServicesDeps) {
  let collector: Collector | null = null;
  let retentionTimer: ReturnType<typeof setInterval> | null = null;
  let retentionRunning = false;
  let storeFailure: string | null = null;
  /** How often /slots is read while requests run (the request tracker's fast reads); a stored setting. */
  let fastMs = requests.DEFAULT_FAST_MS;
  /** Simulated endpoints (lib/simulate/host.ts) are answered in this worker, every other URL by the network. */
  const sim = simulatedFetch((input, init) => globalThis.fetch(input, init), () => deps.now(), simulationOrigin);

  /** When the running simulation began, as startSimulation stored it (null when none is), so the next owner goes on from it. */
  function simulationOrigin(): number | null {
    const d = deps.db();
    const stored = d ? getMeta<{ origin?: unknown }>(d, SIM_META_KEY)?.origin : undefined;
    return typeof stored === 'number' && Number.isFinite(stored) ? stored : null;
  }

  /** The live views' samples in memory; kept equal to the stored raw frames of the endpoints it holds. */
  const hot = new HotWindow();

  const frameQueue = new FrameQueue({
    // One saveFrames call for the whole window: it reads every endpoint's layouts in one statement
    // and prepares the insert once, where a call per submission did both once per endpoint.
    store: (batch) => deps.write((d) => metrics.saveFrames(d, batch.flatMap((b) => b.frames), batch.flatMap((b) => b.events ?? []))),
    stored: (batch, allStored) => {
      const frames = batch.flatMap((b) => b.frames);
      // After a partial failure the stored subset is not known here: those endpoints are read again.
      if (allStored) hot.append(frames);
      else hot.invalidate(frames.map((f) => f.endpointId));
      deps.emit(framesEvent(batch, deps.now()));
      // Storing works again (e.g. space was freed): the warning no longer holds.
      if (allStored && storeFailure !== null) {
        deps.warn(null, storeFailure);
        storeFailure = null;
      }
    },
    failed: (e) => {
      storeFailure = `Samples could not be stored: ${errorText(e)}`;
      deps.warn(storeFailure);
    },
  }, {
    intervalMs: () => collector?.shortestIntervalMs() ?? DEFAULT_INTERVAL_MS,
    now: deps.now,
  });

  /** One retention pass (rollups, then pruning) in batches, yielding to queries between them. */
  async function runRetention(): Promise<{ rolledMinutes: number; deleted: number }> {
    const total = { rolledMinutes: 0, deleted: 0 };
    const db = deps.db();
    if (!db) return total;
    const settings = retention.getRetention(db);
    // Let queries from the page in between batches.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 0));
    while (deps.db()) {
      const r = deps.write((d) => metrics.rollupAndPrune(d, deps.now(), settings, RETENTION_BATCH));
      total.rolledMinutes += r.rolledMinutes;
      total.deleted += r.deleted;
      if (r.deleted > 0) hot.invalidate();
      if (!r.more) break;
      await pause();
    }
    while (deps.db()) {
      const r = deps.write((d) => requests.pruneRequests(d, deps.now(), RETENTION_BATCH));
      total.deleted += r.deleted;
      if (!r.more) break;
      await pause();
    }
    const cap = settings.maxBytes;
    while (deps.db() && cap !== null) {
      const r = deps.write((d) => retention.pruneToSize(d, cap, RETENTION_BATCH));
      total.deleted += r.deleted;
      if (r.deleted > 0) hot.invalidate();
      if (!r.more) break;
      await pause();
    }
    if (deps.db()) deps.write((d) => pruneWrites(d, deps.now() - WRITE_ID_KEEP_MS));
    return total;
  }

  function retentionTick(): void {
    if (retentionRunning) return;
    retentionRunning = true;
    runRetention()
      .catch((e: unknown) => {
        if (deps.db()) deps.warn(`Cleaning up old history failed: ${errorText(e)}. History keeps growing until this is fixed; export the database and report it.`);
      })
      .finally(() => (retentionRunning = false));
  }

  return {
    start(): void {
      try {
        deps.write((d) => requests.markUnfollowed(d));
      } catch (e) {
        // Not worth stopping the dashboard for: say so, polling goes on.
        deps.warn(`Requests left running by a closed tab could not be marked as not followed to their end (${errorText(e)}).`);
      }
      const d0 = deps.db();
      if (d0) fastMs = requests.getFastMs(d0);
      collector = deps.collector?.({
        listEndpoints: () => endpoints.listEndpoints(deps.db() ?? fail()),
        saveFrames: (frames: SampleFrame[], events?: SeriesEvent[]) => {
          if (deps.db()) frameQueue.push(frames, events);
        },
        emit: deps.emit,
        lastStoredTs: (endpointId) => {
          const d = deps.db();
          return d ? metrics.latestValues(d, endpointId)?.ts ?? null : null;
        },
        lastStored: (endpointId) => {
          const d = deps.db();
          return d ? metrics.latestValues(d, endpointId) : null;
        },
        // Exporters that watch a llama-server, and Prometheus servers that scrape one, fill the spans this browser missed (collect/llama-gap-fill.ts).
        gaps: {
          coverage: (endpointId, from, to) => backfill.coverage(deps.db() ?? fail(), endpointId, from, to),
          saveBackfill: (frames, events) => {
            deps.write((d) => backfill.saveBackfill(d, frames, events));
            hot.invalidate(frames.map((f) => f.endpointId));
            deps.emit({ type: 'frames', endpointIds: [...new Set(frames.map((f) => f.endpointId))], ts: deps.now(), latest: [], events: [], backfilled: true });
          },
          link: (id) => getMeta<ExporterLink>(deps.db() ?? fail(), `${LINK_PREFIX}${id}`),
          promLink: (id) => getMeta<PrometheusLink>(deps.db() ?? fail(), `${PROM_LINK_PREFIX}${id}`),
          // Only a test build (--mode test) reads the knob; a real build always waits the full minute.
          promFillAgeMs: import.meta.env.MODE === 'test' ? () => getMeta<number>(deps.db() ?? fail(), 'test.promFillAgeMs') : undefined,
        },
        saveRequests: (endpointId, model, records) => {
          if (!deps.db()) return;
          deps.write((d) => requests.saveRequests(d, endpointId, model, records));
          deps.emit({ type: 'requests', endpointIds: [endpointId] });
        },
        requestsFastMs: () => fastMs,
        pollStarted: () => frameQueue.pollStarted(),
        fetch: sim.fetch,
        now: deps.now,
      }) ?? null;
      collector?.sync();
      if (deps.retentionEveryMs > 0) retentionTimer = setInterval(retentionTick, deps.retentionEveryMs);
    },

    stop(): void {
      collector?.stop();
      collector = null;
      frameQueue.flush();
      if (retentionTimer) clearInterval(retentionTimer);
      retentionTimer = null;
      hot.invalidate();
    },

    /** The hot window (the live views' samples in memory). */
    hot,

    /** Stores queued frames now (before an export or an import). */
    flush(): void {
      frameQueue.flush();
    },

    runRetention,

    /** Applies a new fast-read interval to the running pollers (stored by the caller). */
    setFastMs(ms: number): void {
      fastMs = ms;
    },

    /** The running collector; throws in words when none runs. */
    collector(): Collector {
      if (!collector) throw new Error('Polling is not running in this tab (the database is not open here).');
      return collector;
    },

    /** Re-reads the endpoint list after it changed. */
    sync(): void {
      collector?.sync();
    },

    statuses: () => collector?.statuses() ?? [],

    /** Forgets the simulated servers' state, so the next simulation starts afresh. */
    resetSimulation(): void {
      sim.reset();
    },
  };
}

function fail(): never {
  throw new Error('The database is not open.');
}

export type Services = ReturnType<typeof createServices>;
