import * as Comlink from 'comlink';
import type { Database } from '@sqlite.org/sqlite-wasm';
import type { DbEvent, DbStatus, EndpointInput, EndpointStatus, ImportResult, SampleFrame, SeriesEvent } from './types';
import {
  closeHandle, hasOpfs, loadSqlite, openMemory, openOpfs, SingleWriter, type DbHandle,
} from './open';
import { migrate, SCHEMA_VERSION } from './schema';
import { FrameQueue } from './frame-queue';
import { replaceContents } from './replace';
import { inTx } from './sql';
import { errorText } from '../lib/error-text';
import { explainStorageError } from '../lib/explain-storage-error';
import type { Collector, CollectorDeps } from '../collect/collector';
import * as endpoints from './endpoints';
import * as metrics from './metrics';
import * as models from './models';
import * as modelFiles from './model-files';
import * as metadata from './metadata';
import * as backup from './backup';
import { runConsoleQuery, type ConsoleQuery } from './sql-console';
import * as retention from './retention-settings';
import * as requests from './requests';

/** Starts polling (src/collect/collector.ts createCollector); injected so unit tests choose. */
export type CollectorFactory = (deps: CollectorDeps) => Collector;

export interface ApiOptions {
  /** 'auto': OPFS behind the single-writer lock when the browser has it, else memory (said loudly). */
  storage?: 'auto' | 'memory';
  /** Starts polling once the database is open; absent in unit tests of the SQL layer. */
  collector?: CollectorFactory;
  /** How often the worker rolls up and prunes old samples (ms); 0 turns the timer off. */
  retentionEveryMs?: number;
  now?: () => number;
}

/** Why there is no OPFS here, in words that say what to do. */
function memoryOnlyReason(): string {
  const lost = 'so everything lives in memory and is lost when this tab closes.';
  if (globalThis.isSecureContext === false) {
    return `Browsers give persistent storage (OPFS) only to pages on https:// or http://localhost, ${lost} ` +
      'Open the dashboard through https, or on the machine itself at http://localhost or http://127.0.0.1.';
  }
  return `This browser gives the page no persistent storage (OPFS), ${lost} Use a current Chrome, Edge, ` +
    'Firefox or Safari outside private browsing to keep history and model configurations.';
}

/** Rows the retention pass handles per step, so queries from the page interleave with it. */
const RETENTION_BATCH = 5000;

/** Builds the database API: a plain object whose methods run in the worker (or in-thread in tests). */
export function createApi(options: ApiOptions = {}) {
  const now = options.now ?? Date.now;
  let handle: DbHandle | null = null;
  let status: DbStatus = { state: 'starting', storage: null, message: null };
  let writer: SingleWriter | null = null;
  let collector: Collector | null = null;
  let retentionTimer: ReturnType<typeof setInterval> | null = null;
  let started: Promise<DbStatus> | null = null;
  let settle: ((s: DbStatus) => void) | null = null;
  const listeners = new Map<number, (ev: DbEvent) => unknown>();
  let nextListener = 1;

  function emit(ev: DbEvent): void {
    for (const [id, cb] of listeners) {
      // A listener in a closed page rejects: drop it instead of failing every later event.
      Promise.resolve()
        .then(() => cb(ev))
        .catch(() => listeners.delete(id));
    }
  }

  function setStatus(next: DbStatus): void {
    status = next;
    emit({ type: 'db', status });
    if (next.state !== 'starting' && settle) {
      settle(next);
      settle = null;
    }
  }

  function db(): Database {
    if (!handle) {
      throw new Error(
        status.state === 'waiting' || status.state === 'handed-over'
          ? 'The database is open in another tab. Use it there, or choose "Use here".'
          : status.message ?? 'The database is not open yet.',
      );
    }
    return handle.db;
  }

  /** Runs fn in a savepoint: all of it or none of it (savepoints nest, BEGIN does not). */
  function write<T>(fn: (d: Database) => T): T {
    const d = db();
    try {
      return inTx(d, () => fn(d));
    } catch (e) {
      const explained = explainStorageError(errorText(e));
      if (explained === errorText(e)) throw e;
      throw new Error(explained, { cause: e });
    }
  }

  let storeFailure: string | null = null;
  let fastMs = requests.DEFAULT_FAST_MS;
  const frameQueue = new FrameQueue({
    // One saveFrames call for the whole window: it reads every endpoint's layouts in one statement
    // and prepares the insert once, where a call per submission did both once per endpoint.
    store: (batch) => write((d) => metrics.saveFrames(d, batch.flatMap((b) => b.frames), batch.flatMap((b) => b.events ?? []))),
    stored: (endpointIds, allStored) => {
      emit({ type: 'frames', endpointIds, ts: now() });
      // Storing works again (e.g. space was freed): the warning no longer holds.
      if (allStored && storeFailure !== null) {
        if (status.message === storeFailure) setStatus({ ...status, message: null });
        storeFailure = null;
      }
    },
    failed: (e) => {
      storeFailure = `Samples could not be stored: ${errorText(e)}`;
      setStatus({ ...status, message: storeFailure });
    },
  });

  /** Starts polling and retention; returns a warning for the user when something on the way failed. */
  function startServices(): string | null {
    let warning: string | null = null;
    try {
      write((d) => requests.markUnfollowed(d));
    } catch (e) {
      // Not worth stopping the dashboard for: say so, polling goes on.
      warning = `Requests left running by a closed tab could not be marked as not followed to their end (${errorText(e)}).`;
    }
    collector = options.collector?.({
      listEndpoints: () => endpoints.listEndpoints(db()),
      saveFrames: (frames, events) => {
        if (handle) frameQueue.push(frames, events);
      },
      emit,
      lastStoredTs: (endpointId) => (handle ? metrics.latestValues(handle.db, endpointId)?.ts ?? null : null),
      saveRequests: (endpointId, model, records) => {
        if (!handle) return;
        write((d) => requests.saveRequests(d, endpointId, model, records));
        emit({ type: 'requests', endpointIds: [endpointId] });
      },
      requestsFastMs: () => fastMs,
      now,
    }) ?? null;
    fastMs = requests.getFastMs(db());
    collector?.sync();
    const every = options.retentionEveryMs ?? 60_000;
    if (every > 0) retentionTimer = setInterval(retentionTick, every);
    return warning;
  }

  let retentionRunning = false;
  function retentionTick(): void {
    if (retentionRunning) return;
    retentionRunning = true;
    api.runRetention()
      .catch((e: unknown) => {
        if (handle) setStatus({ ...status, message: `Cleaning up old history failed: ${errorText(e)}. History keeps growing until this is fixed; export the database and report it.` });
      })
      .finally(() => (retentionRunning = false));
  }

  function stopServices(): void {
    collector?.stop();
    collector = null;
    frameQueue.flush();
    if (retentionTimer) clearInterval(retentionTimer);
    retentionTimer = null;
  }

  /** Opens (OPFS, else memory with a reason), migrates and starts polling. Never throws. */
  async function openDatabase(preferOpfs: boolean): Promise<void> {
    let sqlite3: Awaited<ReturnType<typeof loadSqlite>>;
    try {
      sqlite3 = await loadSqlite();
    } catch (e) {
      setStatus({ state: 'error', storage: null, message: `SQLite could not be loaded (${errorText(e)}). Reload the page; if this persists, the site's files may be incomplete.` });
      return;
    }
    let message: string | null = null;
    try {
      handle = preferOpfs ? await openOpfs(sqlite3) : openMemory(sqlite3);
      if (!preferOpfs && options.storage !== 'memory') message = memoryOnlyReason();
    } catch (e) {
      handle = openMemory(sqlite3);
      message = `The stored database could not be opened (${errorText(e)}), so this tab runs on a ` +
        'temporary in-memory database and keeps nothing. Close other tabs of the dashboard and reload; ' +
        'your stored data has not been touched.';
    }
    try {
      migrate(handle.db);
    } catch (e) {
      closeHandle(handle);
      handle = null;
      setStatus({ state: 'error', storage: null, message: `The database could not be prepared: ${errorText(e)}` });
      return;
    }
    const warning = startServices();
    setStatus({ state: 'ready', storage: handle.storage, message: [message, warning].filter(Boolean).join(' ') || null });
    // After a hand-over the data may have changed under this tab's page: let it reload everything.
    emit({ type: 'endpoints' });
    emit({ type: 'models' });
  }

  async function closeDatabase(): Promise<void> {
    stopServices();
    if (handle) closeHandle(handle);
    handle = null;
  }

  const api = {
    /** Opens the database (once); resolves with the first settled status (ready, waiting, error). */
    init(): Promise<DbStatus> {
      if (started) return started;
      started = new Promise<DbStatus>((resolve) => (settle = resolve));
      const lockable = typeof navigator !== 'undefined' && !!navigator.locks;
      if (options.storage === 'memory' || !hasOpfs() || !lockable) {
        void openDatabase(false);
      } else {
        writer = new SingleWriter({
          acquire: () => openDatabase(true),
          release: closeDatabase,
          changed: (state, message) => {
            if (state === 'waiting') setStatus({ state: 'waiting', storage: null, message: message ?? null });
            else if (state === 'handed-over') setStatus({ state: 'handed-over', storage: null, message: null });
            else if (message) setStatus({ ...status, message });
          },
        });
        writer.start();
      }
      return started;
    },

    status(): DbStatus {
      return status;
    },

    /** Asks the tab that has the database to hand it over to this one. */
    useHere(): void {
      if (!writer) throw new Error('This tab has its own in-memory database; there is nothing to take over.');
      writer.useHere();
    },

    /** Registers a listener for DbEvents (pass a Comlink.proxy from the page); returns its id. */
    subscribe(cb: (ev: DbEvent) => unknown): number {
      const id = nextListener++;
      listeners.set(id, cb);
      return id;
    },

    unsubscribe(id: number): void {
      listeners.delete(id);
    },

    listEndpoints: () => endpoints.listEndpoints(db()),
    getEndpoint: (id: number) => endpoints.getEndpoint(db(), id),
    addEndpoint(input: EndpointInput) {
      const ep = write((d) => endpoints.addEndpoint(d, input));
      collector?.sync();
      emit({ type: 'endpoints' });
      return ep;
    },
    updateEndpoint(id: number, patch: Partial<EndpointInput>) {
      const ep = write((d) => endpoints.updateEndpoint(d, id, patch));
      collector?.sync();
      emit({ type: 'endpoints' });
      return ep;
    },
    removeEndpoint(id: number) {
      const r = write((d) => endpoints.removeEndpoint(d, id));
      collector?.sync();
      emit({ type: 'endpoints' });
      return r;
    },

    saveFrames(frames: SampleFrame[], events?: SeriesEvent[]): void {
      write((d) => metrics.saveFrames(d, frames, events));
      emit({ type: 'frames', endpointIds: [...new Set(frames.map((f) => f.endpointId))], ts: now() });
    },
    history: (q: Parameters<typeof metrics.queryHistory>[1]) => metrics.queryHistory(db(), q),
    latest: (...a: Tail<Parameters<typeof metrics.latestValues>>) => metrics.latestValues(db(), ...a),
    seriesKeys: (...a: Tail<Parameters<typeof metrics.seriesKeys>>) => metrics.seriesKeys(db(), ...a),
    events: (...a: Tail<Parameters<typeof metrics.listEvents>>) => metrics.listEvents(db(), ...a),
    /** One retention pass (rollups, then pruning) in batches; the worker also runs it on a timer. */
    async runRetention(): Promise<{ rolledMinutes: number; deleted: number }> {
      const total = { rolledMinutes: 0, deleted: 0 };
      const settings = retention.getRetention(db());
      const pause = () => new Promise((resolve) => setTimeout(resolve, 0));
      while (handle) {
        const r = write((d) => metrics.rollupAndPrune(d, now(), settings, RETENTION_BATCH));
        total.rolledMinutes += r.rolledMinutes;
        total.deleted += r.deleted;
        if (!r.more) break;
        // Let queries from the page in between batches.
        await pause();
      }
      while (handle) {
        const r = write((d) => requests.pruneRequests(d, now(), RETENTION_BATCH));
        total.deleted += r.deleted;
        if (!r.more) break;
        await pause();
      }
      const cap = settings.maxBytes;
      while (handle && cap !== null) {
        const r = write((d) => retention.pruneToSize(d, cap, RETENTION_BATCH));
        total.deleted += r.deleted;
        if (!r.more) break;
        await pause();
      }
      return total;
    },
    getRetention: () => retention.getRetention(db()),
    /** Stores new retention settings and applies them at once. */
    async setRetention(value: unknown) {
      const s = write((d) => retention.setRetention(d, value));
      await api.runRetention();
      return s;
    },
    retentionInputs: () => retention.costInputs(db()),
    listRequests: (q: requests.RequestQuery) => requests.listRequests(db(), q),
    requestStats: (q: requests.RequestQuery) => requests.requestStats(db(), q),
    requestSources: () => requests.requestSources(db()),
    requestSettings: () => ({ retentionDays: requests.getRequestRetentionDays(db()), fastMs: requests.getFastMs(db()) }),
    setRequestSettings(s: { retentionDays?: number; fastMs?: number }) {
      write((d) => {
        if (s.retentionDays !== undefined) requests.setRequestRetentionDays(d, s.retentionDays);
        if (s.fastMs !== undefined) fastMs = requests.setFastMs(d, s.fastMs);
      });
      return api.requestSettings();
    },
    clearMetrics(): void {
      write((d) => metrics.clearMetrics(d));
      emit({ type: 'history-reset' });
    },

    createModel: (...a: Tail<Parameters<typeof models.createModel>>) => modelWrite((d) => models.createModel(d, ...a)),
    listModels: (...a: Tail<Parameters<typeof models.listModels>>) => models.listModels(db(), ...a),
    getModel: (id: number) => models.getModel(db(), id),
    getModelByName: (name: string) => models.getModelByName(db(), name),
    updateModel: (...a: Tail<Parameters<typeof models.updateModel>>) => modelWrite((d) => models.updateModel(d, ...a)),
    deleteModel: (id: number) => modelWrite((d) => models.deleteModel(d, id)),
    deleteAllModels: () => modelWrite((d) => models.deleteAllModels(d)),
    saveCatalogue: (...a: Tail<Parameters<typeof models.saveCatalogue>>) => write((d) => models.saveCatalogue(d, ...a)),
    listCatalogues: () => models.listCatalogues(db()),
    getCatalogue: (id: number) => models.getCatalogue(db(), id),
    deleteCatalogue: (id: number) => write((d) => models.deleteCatalogue(d, id)),
    saveModelFile: (...a: Tail<Parameters<typeof modelFiles.saveModelFile>>) => write((d) => modelFiles.saveModelFile(d, ...a)),
    getModelFile: (modelId: number) => modelFiles.getModelFile(db(), modelId),
    deleteModelFile: (modelId: number) => write((d) => modelFiles.deleteModelFile(d, modelId)),

    setMeta: (key: string, value: unknown) => write((d) => metadata.setMeta(d, key, value)),
    getMeta: (key: string) => metadata.getMeta<unknown>(db(), key),
    deleteMeta: (key: string) => write((d) => metadata.deleteMeta(d, key)),
    allMeta: () => metadata.allMeta(db()),

    dbInfo: () => backup.dbInfo(db(), handle?.storage ?? 'memory'),
    vacuum: () => backup.vacuum(db()),
    /** One read-only statement from the SQL console, refused by SQLite itself if it would write. */
    runQuery: (q: ConsoleQuery) => runConsoleQuery(handle?.sqlite3 ?? fail(), db(), q),
    /** The whole database as one SQLite file (transferred, not copied, to the page); secrets only when asked. */
    exportDatabase(includeSecrets = false): Uint8Array {
      frameQueue.flush();
      const bytes = backup.exportFile(handle?.sqlite3 ?? fail(), db(), includeSecrets);
      return Comlink.transfer(bytes, [bytes.buffer]);
    },
    /** Checks a file and, only if it is good, replaces the whole database with it in one step. */
    importDatabase(bytes: Uint8Array): ImportResult {
      const h = handle ?? fail();
      const check = backup.checkImage(h.sqlite3, bytes);
      if (!check.ok) return { ok: false, message: check.message };
      stopServices();
      try {
        replaceContents(h, check.image);
        migrate(h.db);
      } finally {
        const warning = startServices();
        if (warning) setStatus({ ...status, message: warning });
      }
      emit({ type: 'endpoints' });
      emit({ type: 'models' });
      emit({ type: 'history-reset' });
      return { ok: true, message: check.message, migratedFrom: check.version < SCHEMA_VERSION ? check.version : undefined, ...check.report };
    },

    endpointStatuses: (): EndpointStatus[] => collector?.statuses() ?? [],
    testConnection: (input: EndpointInput, opts?: { identifyOnly?: boolean }) => needCollector().testConnection(input, opts),
    loadModel: (endpointId: number, model: string) => needCollector().loadModel(endpointId, model),
    unloadModel: (endpointId: number, model: string) => needCollector().unloadModel(endpointId, model),
  };

  function modelWrite<T>(fn: (d: Database) => T): T {
    const r = write(fn);
    emit({ type: 'models' });
    return r;
  }

  function needCollector(): Collector {
    if (!collector) throw new Error('Polling is not running in this tab (the database is not open here).');
    return collector;
  }

  function fail(): never {
    return db() as never;
  }

  return api;
}

type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

/** The API the worker exposes; the page gets it as Comlink.Remote<DbApi>. */
export type DbApi = ReturnType<typeof createApi>;
