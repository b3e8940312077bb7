import * as Comlink from 'comlink';
import type { Database } from '@sqlite.org/sqlite-wasm';
import type { DbEvent, DbStatus, EndpointInput, EndpointStatus, ImportResult, SampleFrame, SeriesEvent } from '../lib/types';
import { closeHandle, type DbHandle } from '../db/open';
import { migrate, SCHEMA_VERSION } from '../db/schema';
import { replaceContents } from '../db/replace';
import { inTx } from '../db/sql';
import { appliedWrite, recordWrite } from '../db/rpc-writes';
import { errorText } from '../lib/error-text';
import { explainStorageError } from '../lib/explain-storage-error';
import * as endpoints from '../db/endpoints';
import * as metrics from '../db/metrics';
import * as models from '../db/models';
import * as modelFiles from '../db/model-files';
import * as requests from '../db/requests';
import * as metadata from '../db/metadata';
import * as backup from '../db/backup';
import * as retention from '../db/retention-settings';
import * as promCopies from '../db/prom-copies';
import { PROM_COPIES_KEY, type PromCopyInput } from '../lib/prom-copy';
import { runConsoleQuery, type ConsoleQuery } from '../db/sql-console';
import { openDatabase, type MemoryOpener, type StorageChoice } from './open-database';
import { createServices, type CollectorFactory } from './services';
import { framesEvent } from './frame-queue';
import { SIM_EXPORTER_URL, SIM_LLAMA_URL, SIM_META_KEY, SIM_ROUTER_URL, isSimulatedUrl } from '../lib/simulate/host';

export interface ApiOptions {
  /** 'auto': OPFS when the browser has it, else memory (said loudly). */
  storage?: StorageChoice;
  /** Starts polling once the database is open; absent in unit tests of the SQL layer. */
  collector?: CollectorFactory;
  /** How often the worker rolls up and prunes old samples (ms); 0 turns the timer off. */
  retentionEveryMs?: number;
  now?: () => number;
  /** Opens the in-memory database (tests give several owners one shared file). */
  memory?: MemoryOpener;
}

/**
 * The database owner's API: opens the database and runs its services in this worker, and answers every
 * call, whether from this tab's page or (through src/worker/session.ts) from another tab.
 */
export function createApi(options: ApiOptions = {}) {
  const now = options.now ?? Date.now;
  let handle: DbHandle | null = null;
  let status: DbStatus = { state: 'starting', storage: null, message: null };
  let started: Promise<DbStatus> | null = null;
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
  }

  function db(): Database {
    if (!handle) throw new Error(status.message ?? 'The database is not open yet.');
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

  const services = createServices({
    db: () => handle?.db ?? null,
    write,
    emit,
    now,
    collector: options.collector,
    retentionEveryMs: options.retentionEveryMs ?? 60_000,
    warn: (message, cleared) => {
      if (message !== null) setStatus({ ...status, message });
      else if (status.message === cleared) setStatus({ ...status, message: null });
    },
  });

  async function open(): Promise<DbStatus> {
    const opened = await openDatabase(options.storage ?? 'auto', options.memory);
    if (!opened.ok) {
      setStatus({ state: 'error', storage: null, message: opened.message });
      return status;
    }
    try {
      migrate(opened.handle.db);
    } catch (e) {
      closeHandle(opened.handle);
      setStatus({ state: 'error', storage: null, message: `The database could not be prepared: ${errorText(e)}` });
      return status;
    }
    handle = opened.handle;
    services.start();
    setStatus({ state: 'ready', storage: handle.storage, message: opened.message });
    // The data may have changed since the page last read it (another tab owned it): let it reload.
    emit({ type: 'endpoints' });
    emit({ type: 'models' });
    return status;
  }

  const rpc = {
    listEndpoints: () => endpoints.listEndpoints(db()),
    addEndpoint(input: EndpointInput) {
      const ep = write((d) => endpoints.addEndpoint(d, input));
      endpointsChanged();
      return ep;
    },
    updateEndpoint(id: number, patch: Partial<EndpointInput>) {
      const ep = write((d) => endpoints.updateEndpoint(d, id, patch));
      endpointsChanged();
      return ep;
    },
    removeEndpoint(id: number) {
      const r = write((d) => endpoints.removeEndpoint(d, id));
      services.hot.invalidate([id]);
      endpointsChanged();
      return r;
    },
    /**
     * Adds the simulated llama-server, router and exporter (answered inside this worker) and stores when the
     * simulation began; a second call changes nothing.
     */
    startSimulation(): void {
      write((d) => {
        const have = new Set(endpoints.listEndpoints(d).filter((e) => isSimulatedUrl(e.url)).map((e) => e.url));
        if (metadata.getMeta(d, SIM_META_KEY) === null) metadata.setMeta(d, SIM_META_KEY, { origin: now() });
        if (!have.has(SIM_LLAMA_URL)) endpoints.addEndpoint(d, { kind: 'llama', name: 'Simulated llama-server', url: SIM_LLAMA_URL, apiKey: null, intervalMs: 2000, enabled: true });
        if (!have.has(SIM_ROUTER_URL)) endpoints.addEndpoint(d, { kind: 'llama', name: 'Simulated router (several models)', url: SIM_ROUTER_URL, apiKey: null, intervalMs: 2000, enabled: true });
        if (!have.has(SIM_EXPORTER_URL)) endpoints.addEndpoint(d, { kind: 'exporter', name: 'Simulated host and GPU', url: SIM_EXPORTER_URL, apiKey: null, intervalMs: 2000, enabled: true });
      });
      endpointsChanged();
    },
    /** Removes the simulated endpoints with every sample, rollup, layout, event and request stored for them. */
    stopSimulation(): void {
      write((d) => {
        for (const e of endpoints.listEndpoints(d)) if (isSimulatedUrl(e.url)) endpoints.removeEndpoint(d, e.id);
        metadata.deleteMeta(d, SIM_META_KEY);
      });
      services.resetSimulation();
      endpointsChanged();
    },

    /** Stores frames as the collector would (the e2e suite fills history with it). */
    saveFrames(frames: SampleFrame[], events?: SeriesEvent[]): void {
      write((d) => metrics.saveFrames(d, frames, events));
      services.hot.append(frames);
      emit(framesEvent([{ frames, events }], now()));
    },
    /** Chart data: the live views from the hot window in memory, longer or older ranges from SQLite. */
    history: (q: Parameters<typeof metrics.queryHistory>[1]) => {
      if (services.hot.holds(q.endpointId)) return services.hot.query(db(), q, now()) ?? metrics.queryHistory(db(), q);
      services.hot.warm(db, q.endpointId, now);
      return metrics.queryHistory(db(), q);
    },
    latest: (...a: Tail<Parameters<typeof metrics.latestValues>>) => metrics.latestValues(db(), ...a),
    events: (...a: Tail<Parameters<typeof metrics.listEvents>>) => metrics.listEvents(db(), ...a),
    /** One retention pass (rollups, then pruning) in batches; the owner also runs it on a timer. */
    runRetention: () => services.runRetention(),
    getRetention: () => retention.getRetention(db()),
    /** Stores new retention settings and applies them at once. */
    async setRetention(value: unknown) {
      const s = write((d) => retention.setRetention(d, value));
      emit({ type: 'meta', key: 'retention.settings' });
      services.hot.invalidate();
      await services.runRetention();
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
        if (s.fastMs !== undefined) services.setFastMs(requests.setFastMs(d, s.fastMs));
      });
      emit({ type: 'meta', key: 'requests.settings' });
      return rpc.requestSettings();
    },
    clearMetrics(): void {
      write((d) => metrics.clearMetrics(d));
      services.hot.invalidate();
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

    setMeta(key: string, value: unknown): void {
      write((d) => metadata.setMeta(d, key, value));
      emit({ type: 'meta', key });
    },
    getMeta: (key: string) => metadata.getMeta<unknown>(db(), key),
    deleteMeta(key: string): void {
      write((d) => metadata.deleteMeta(d, key));
      emit({ type: 'meta', key });
    },
    allMeta: () => metadata.allMeta(db()),

    /** Stores a local copy of an instance's Prometheus charts (Fleet), kept until deleted. */
    savePromCopy(copy: PromCopyInput) {
      const r = write((d) => promCopies.saveCopy(d, copy, now()));
      emit({ type: 'meta', key: PROM_COPIES_KEY });
      return r;
    },
    listPromCopies: () => promCopies.listCopies(db()),
    getPromCopy: (id: number) => promCopies.getCopy(db(), id),
    deletePromCopy(id: number) {
      const r = write((d) => promCopies.deleteCopy(d, id));
      emit({ type: 'meta', key: PROM_COPIES_KEY });
      return r;
    },

    dbInfo: () => backup.dbInfo(db(), handle?.storage ?? 'memory'),
    vacuum: () => backup.vacuum(db()),
    /** One read-only statement from the SQL console, refused by SQLite itself if it would write. */
    runQuery: (q: ConsoleQuery) => runConsoleQuery(openHandle().sqlite3, db(), q),
    /** The whole database as one SQLite file (transferred, not copied, to the page); secrets only when asked. */
    exportDatabase(includeSecrets = false): Uint8Array {
      services.flush();
      const bytes = backup.exportFile(openHandle().sqlite3, db(), includeSecrets);
      return Comlink.transfer(bytes, [bytes.buffer]);
    },
    /** Checks a file and, only if it is good, replaces the whole database with it in one step. */
    importDatabase(bytes: Uint8Array): ImportResult {
      const h = openHandle();
      const check = backup.checkImage(h.sqlite3, bytes);
      if (!check.ok) return { ok: false, message: check.message };
      services.stop();
      try {
        replaceContents(h, check.image);
        migrate(h.db);
      } finally {
        services.start();
      }
      emit({ type: 'endpoints' });
      emit({ type: 'models' });
      emit({ type: 'history-reset' });
      return { ok: true, message: check.message, migratedFrom: check.version < SCHEMA_VERSION ? check.version : undefined, ...check.report };
    },

    endpointStatuses: (): EndpointStatus[] => services.statuses(),
    testConnection: (input: EndpointInput, opts?: { identifyOnly?: boolean }) => services.collector().testConnection(input, opts),
    loadModel: (endpointId: number, model: string) => services.collector().loadModel(endpointId, model),
    unloadModel: (endpointId: number, model: string) => services.collector().unloadModel(endpointId, model),
  };

  function endpointsChanged(): void {
    services.sync();
    emit({ type: 'endpoints' });
  }

  function modelWrite<T>(fn: (d: Database) => T): T {
    const r = write(fn);
    emit({ type: 'models' });
    return r;
  }

  function openHandle(): DbHandle {
    db();
    return handle!;
  }

  return {
    ...rpc,

    /** Opens the database (once; call only as its owner) and starts polling; resolves with the status. */
    init(): Promise<DbStatus> {
      started ??= open();
      return started;
    },

    status(): DbStatus {
      return status;
    },

    /** Stops the services, stores what is queued and closes the database (the owner is leaving). */
    close(): void {
      services.stop();
      if (handle) closeHandle(handle);
      handle = null;
    },

    /** Registers a listener for DbEvents; returns its id. */
    subscribe(cb: (ev: DbEvent) => unknown): number {
      const id = nextListener++;
      listeners.set(id, cb);
      return id;
    },


    /**
     * Applies a write sent by another tab exactly once: the write and its id commit in one transaction,
     * so a call sent again (its reply was lost when an owner closed) gets the stored result back.
     */
    applyWrite(writeId: string, method: keyof typeof rpc, args: unknown[]): unknown {
      const d = db();
      const done = appliedWrite(d, writeId);
      if (done) return done.result;
      return write(() => {
        const result = (rpc[method] as (...a: unknown[]) => unknown)(...args);
        recordWrite(d, writeId, now(), result);
        return result;
      });
    },
  };
}

type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

/** Everything another tab may call on the owner. */
export type RpcApi = ReturnType<typeof createApi>;

/** A method of the RPC surface. */
export type RpcMethod = Exclude<keyof RpcApi, 'init' | 'status' | 'close' | 'subscribe' | 'applyWrite'>;

/**
 * Methods that change the database in one synchronous transaction: a call from another tab carries a
 * write id and runs through applyWrite. The remaining changes (vacuum, import, retention, router
 * load/unload) come out the same when run twice.
 */
export const WRITE_METHODS = [
  'addEndpoint', 'updateEndpoint', 'removeEndpoint', 'startSimulation', 'stopSimulation', 'saveFrames', 'clearMetrics', 'createModel', 'updateModel',
  'deleteModel', 'deleteAllModels', 'saveCatalogue', 'deleteCatalogue', 'setMeta', 'deleteMeta', 'saveModelFile', 'deleteModelFile',
  'savePromCopy', 'deletePromCopy',
] as const satisfies readonly RpcMethod[];

export type WriteMethod = (typeof WRITE_METHODS)[number];
