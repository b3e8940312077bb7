/**
 * What a companion exporter tells about the llama-servers it watches (`--llama URL`): their health in the
 * snapshot, and their series in /api/v1/history pages. Shared by the exporter (which writes it) and the
 * dashboard (which reads it to fill the gaps of its own polling), so both sides agree on the shape.
 */

import type { SeriesEventKind } from './series-events';

/** How a watched server stands, as the exporter saw it on its last read. */
export type WatchHealth = 'starting' | 'up' | 'sleeping' | 'loading' | 'down' | 'unauthorized' | 'error';

/** One watched llama-server in the exporter's snapshot and history summary. */
export interface WatchedServer {
  /** Base URL as the exporter reaches it (canonical, see lib/base-url.ts). */
  url: string;
  health: WatchHealth;
  /** Why it is not up, in words; null when up. */
  message: string | null;
  /** From /props: the build and model, so a dashboard can tell it is the server it polls itself. */
  build: string | null;
  model: string | null;
  isRouter: boolean;
  intervalMs: number;
  /** Last read that reached the server, ms (exporter clock); null before the first. */
  lastOkTs: number | null;
  /** Oldest and newest sample held, ms; null when none yet. */
  from: number | null;
  to: number | null;
  /**
   * The body of its last /metrics read as it came, and when it came (ms, exporter clock), while the last
   * tick read a single-model server cleanly; null otherwise. A dashboard polling the same server may use
   * it instead of asking again (collect/metrics-relay.ts). Absent from exporters before it.
   */
  metrics?: RelayedMetrics | null;
}

/** A llama-server's /metrics body as the exporter read it. */
export interface RelayedMetrics {
  ts: number;
  text: string;
}

/** A chart marker the exporter recorded for a watched server (restart, model change, down/up). */
export interface WatchEvent {
  ts: number;
  kind: SeriesEventKind;
  detail?: string;
}

/** One page of a watched server's history: `GET /api/v1/history?llama=<url>&since=&until=&limit=`. */
export interface LlamaHistoryPage {
  version: 1;
  url: string;
  build: string | null;
  model: string | null;
  intervalMs: number;
  /** Sample times (ms, exporter clock), oldest first, each > since and <= until. */
  ts: number[];
  /** Values aligned with ts, keyed like the dashboard's llama series (lib/series-keys.ts); null = unknown. */
  series: Record<string, (number | null)[]>;
  /** Markers in the same span. */
  events: WatchEvent[];
  /** More samples after this page: ask again with since = next. */
  more: boolean;
  next: number | null;
}

/** Largest page the exporter serves; an hour at 1 s fits in one. */
export const MAX_HISTORY_LIMIT = 10_000;
/** Page size when a llama history request names none. */
export const DEFAULT_LLAMA_LIMIT = 3600;

/** Checks the parts of a history page the dashboard relies on; returns why it is not one, or null. */
export function llamaHistoryProblem(x: unknown): string | null {
  const h = x as Partial<LlamaHistoryPage> | null;
  if (!h || typeof h !== 'object') return 'the reply is not a JSON object';
  if (h.version !== 1) return `history version ${String(h.version)} is not supported by this dashboard (expected 1)`;
  if (typeof h.url !== 'string' || !Array.isArray(h.ts) || !h.series || typeof h.series !== 'object') return 'the page lacks url, ts or series';
  if (!Array.isArray(h.events) || typeof h.more !== 'boolean') return 'the page lacks events or more';
  if (Object.values(h.series).some((col) => !Array.isArray(col) || col.length !== h.ts!.length)) return 'a series is not aligned with ts';
  return null;
}

/** Whether a snapshot entry looks like a WatchedServer (an exporter of another version may differ). */
export function isWatchedServer(x: unknown): x is WatchedServer {
  const w = x as Partial<WatchedServer> | null;
  return !!w && typeof w.url === 'string' && typeof w.health === 'string';
}

/** Metadata key prefix (`link.exporter.<llamaEndpointId>`) of a hand-made link between a llama endpoint and an exporter. */
export const LINK_PREFIX = 'link.exporter.';

/**
 * Llama endpoint `<id>` is the server exporter `exporterId` watches at `url`: for when the two reach it at
 * different addresses (127.0.0.1:8080 on the box, gpu-box:8080 from a laptop).
 */
export interface ExporterLink {
  exporterId: number;
  url: string;
}

/** Whether llama endpoint `ep` is the server exporter `exporterId` watches as `w`: linked by hand, or at the same address. */
export function coversEndpoint(exporterId: number, w: { url: string }, ep: { kind: string; url: string }, link: ExporterLink | null): boolean {
  if (ep.kind !== 'llama') return false;
  if (link) return link.exporterId === exporterId && link.url === w.url;
  return ep.url === w.url;
}
