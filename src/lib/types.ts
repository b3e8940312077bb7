/** Shared shapes that cross the page ↔ worker boundary (structured-clone friendly: no classes). */

import type { RouterModel } from './llama-models';
import type { SeriesEventKind } from './series-events';
import type { RequestRecord } from './request-tracker';
import type { BucketSeries, Summary } from './request-stats';

export type { RouterModel, RouterModelState } from './llama-models';
export type { SeriesEventKind } from './series-events';

/** prometheus: a Prometheus server the fleet page reads (the collector does not poll it). */
export type EndpointKind = 'llama' | 'exporter' | 'prometheus';

export interface Endpoint {
  id: number;
  kind: EndpointKind;
  name: string;
  /** Base URL without trailing slash, e.g. http://127.0.0.1:8080 */
  url: string;
  apiKey: string | null;
  intervalMs: number;
  enabled: boolean;
  createdAt: number;
  /** Added by a page link (?server=, ?exporter=) and not yet kept by the user: its card asks. */
  fromLink: boolean;
}

/** What a form or a link gives to add or change an endpoint; `fromLink` is false unless a link added it. */
export type EndpointInput = Omit<Endpoint, 'id' | 'createdAt' | 'fromLink'> & { fromLink?: boolean };

/**
 * One poll tick of one endpoint: every series value read or derived at `ts` (ms since epoch).
 * Keys are series names, Prometheus style with labels when needed: `gen_tps`,
 * `llamacpp:prompt_tokens_total`, `slot_ctx_fill{slot="0"}`, `gpu_util{gpu="0"}`.
 * null means "known missing" (stored as NaN), never 0.
 */
export interface SampleFrame {
  endpointId: number;
  ts: number;
  values: Record<string, number | null>;
}

/** Something worth a marker on the charts. */
export interface SeriesEvent {
  endpointId: number;
  ts: number;
  kind: SeriesEventKind;
  detail?: string;
}

export interface HistoryQuery {
  endpointId: number;
  keys: string[];
  from: number;
  to: number;
  /** Target number of points (the chart's pixel width); the worker downsamples to about this many. */
  points: number;
}

/**
 * Columnar result, uPlot-ready: ts[i] in SECONDS (uPlot's unit), values[k][i] aligned with ts.
 * Missing is null. `tier` says where the data came from.
 */
export interface HistoryResult {
  ts: number[];
  values: Record<string, (number | null)[]>;
  tier: 'raw' | '1m' | '1h';
}

export interface LatestValues {
  endpointId: number;
  ts: number;
  values: Record<string, number | null>;
}

export interface RetentionPolicy {
  /** Raw frames kept this long (ms); at least 10 minutes. */
  rawMs: number;
  minuteMs: number;
  hourMs: number;
}

export type ModelStatus = 'running' | 'loading' | 'stopped' | 'error' | 'draft';

/** A stored model configuration; args keyed by the catalogue's canonical long flag (e.g. "--ctx-size"). */
export interface ModelConfig {
  id: number;
  name: string;
  family: string;
  /** Free classification the user filters by: chat, embedding, rerank, vision, draft, ... */
  type: string;
  status: ModelStatus;
  notes: string;
  args: Record<string, string | number | boolean | null>;
  /** Arguments the catalogue does not know, kept verbatim in order. */
  extraArgs: string[];
  /** Catalogue (llama-server build) this configuration targets; null = built-in catalogue. */
  catalogueId: number | null;
  /** Linked endpoint (and model name when the endpoint is a router). */
  endpointId: number | null;
  routerModel: string | null;
  createdAt: number;
  updatedAt: number;
}

export type ModelConfigInput = Omit<ModelConfig, 'id' | 'createdAt' | 'updatedAt'>;

export interface ModelFilter {
  status?: ModelStatus;
  type?: string;
  /** Case-insensitive substring of the name. */
  name?: string;
}

export interface TableSize {
  name: string;
  bytes: number;
  rows: number;
}

export interface DbInfo {
  /** 'opfs' = persisted; 'memory' = lost on reload (no OPFS here). */
  storage: 'opfs' | 'memory';
  schemaVersion: number;
  sqliteVersion: string;
  journalMode: string;
  totalBytes: number;
  tables: TableSize[];
}

/**
 * Why an imported file was refused, in words a user can act on; for an accepted one, what was left
 * out (see ImportReport in db/import-image.ts for each list).
 */
export interface ImportResult {
  ok: boolean;
  message: string;
  migratedFrom?: number;
  leftOut?: string[];
  skipped?: string[];
  metricSkips?: Record<string, number>;
  needKeys?: string[];
  needSecrets?: string[];
}

export type EndpointState =
  | 'connecting' | 'ok' | 'busy' | 'loading' | 'sleeping' | 'down' | 'error' | 'disabled';

/** What the collector knows about one endpoint now; `message` is plain words with what to do. */
export interface EndpointStatus {
  endpointId: number;
  state: EndpointState;
  message: string | null;
  lastOkAt: number | null;
  lastErrorAt: number | null;
  /** From /props (llama-server) or /api/v1/snapshot (exporter). */
  info: {
    model?: string;
    build?: string;
    totalSlots?: number;
    ctxSize?: number;
    hostname?: string;
    /** Exporter only: the GPUs of its latest snapshot, `id` as in the series keys (`gpu="<id>"`). */
    gpus?: { id: string; name: string; vendor: string }[];
    /** Exporter only: the llama-servers it watches (`--llama`), as it reaches them. */
    llama?: { url: string; health: string; model: string | null }[];
  };
  isRouter: boolean;
  routerModels: RouterModel[];
  /**
   * llama-server only: the exporter endpoint whose stream carried the /metrics bodies of the idle ticks of
   * late (collect/metrics-relay.ts); null or absent when the dashboard reads the server itself.
   */
  relayedBy?: number | null;
}

/** Pushed from the worker to the page (Comlink.proxy callback). */
export type DbEvent =
  /**
   * Frames were stored: the newest values of each endpoint that got some, and the events (restart,
   * down, up, ...) stored with them, so the page shows them without asking back. `backfilled`: samples of
   * the past were filled in (from an exporter), so the charts of those endpoints read again.
   */
  | { type: 'frames'; endpointIds: number[]; ts: number; latest: LatestValues[]; events: SeriesEvent[]; backfilled?: true }
  /** Request records were written (Requests view). */
  | { type: 'requests'; endpointIds: number[] }
  /** The stored history changed as a whole (cleared or imported): every chart starts over. */
  | { type: 'history-reset' }
  | { type: 'status'; status: EndpointStatus }
  | { type: 'endpoints' }
  | { type: 'models' }
  /** A stored preference changed (e.g. the theme, in another tab). */
  | { type: 'meta'; key: string }
  | { type: 'db'; status: DbStatus }
  /** Every tab reloads now (one asked, so that all run the same version). */
  | { type: 'reload' };

/**
 * Where this tab stands with the database, which one tab's worker owns and the others reach through it.
 * 'connecting': the owner is changing (its tab closed) or opening; 'unresponsive': the owner stopped
 * sending its heartbeat (frozen or paused tab).
 */
export type DbState = 'starting' | 'ready' | 'connecting' | 'unresponsive' | 'error';

export interface DbStatus {
  state: DbState;
  /** null until a database is open. 'memory' must be shown loudly: nothing is kept. */
  storage: 'opfs' | 'memory' | null;
  /** Plain words for the user: why memory only, what failed and what to do. */
  message: string | null;
  /** Whether this tab's worker owns the database or reaches it through the owner's tab. */
  role?: 'owner' | 'follower';
  /** Set when a tab of another deploy (another build) is open beside this one: its version, to say so. */
  otherBuild?: string;
}

/** A stored request: the tracker's record plus where it ran. */
export interface RequestRow extends Omit<RequestRecord, 'key' | 'outcome'> {
  /** 'unknown': it was running when the dashboard stopped following it (the tab closed). */
  outcome: RequestRecord['outcome'] | 'unknown';
  id: number;
  endpointId: number;
  /** The router's model; '' for a single-model server. */
  model: string;
  /** When it started, or for one seen only in the counters, when it ended (the row's place in time). */
  ts: number;
}

/** What to list: a time range (ms since the epoch) and optionally one endpoint and one model. */
export interface RequestQuery {
  from: number;
  to: number;
  endpointId?: number | null;
  model?: string | null;
  /** Newest rows first, at most this many (default 5000). */
  limit?: number;
  /** Width of the percentile buckets (default 5 minutes). */
  bucketMs?: number;
}

/** Percentiles over the range and per bucket, for TTFT, decode speed and duration of ended requests. */
export interface RequestStats {
  total: number;
  /** Requests known only from the counters (they ran between two polls). */
  countersOnly: number;
  /** The largest precision (± ms) among the requests behind the figures; null when none is known. */
  precisionMs: number | null;
  ttft: Summary;
  decode: Summary;
  duration: Summary;
  buckets: { ttft: BucketSeries; decode: BucketSeries; duration: BucketSeries };
}

/* The read-only SQL console's shapes (db/sql-console.ts runs it). */
/** A cell as the page gets it: blobs are described, not shipped. */
export type ConsoleCell = string | number | null;

export interface ConsoleQuery {
  sql: string;
  /** Rows to skip (paging). */
  offset?: number;
  /** Rows to return, at most MAX_ROWS. */
  limit?: number;
  /** Stop the statement after this long (ms). */
  deadlineMs?: number;
}

export interface ConsoleResult {
  columns: string[];
  rows: ConsoleCell[][];
  /** True when rows past offset + limit exist. */
  more: boolean;
  ms: number;
}

export const DEFAULT_DEADLINE_MS = 5000;
export const MAX_ROWS = 100_000;
