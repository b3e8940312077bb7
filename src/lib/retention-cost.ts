/**
 * How long history is kept (a user setting) and what that costs on disk. The byte figures are the
 * benchmark's (`npm run bench`, README Performance): 10.15 bytes per raw sample; a rollup row holds
 * four float32 statistics per series plus the row's own keys and header.
 */

/** The retention a user chooses; any value read from storage goes through sanitizeRetention. */
export interface RetentionSettings {
  /** Raw samples kept this long (ms). */
  rawMs: number;
  /** Per-minute rollups kept this long (ms). */
  minuteMs: number;
  /** Per-hour rollups kept this long (ms). */
  hourMs: number;
  /** Oldest history goes first once the stored history passes this many bytes; null for no cap. */
  maxBytes: number | null;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The defaults: raw 2 h, minutes 30 days, hours 400 days, no size cap. */
export const DEFAULT_RETENTION_SETTINGS: RetentionSettings = { rawMs: 2 * HOUR, minuteMs: 30 * DAY, hourMs: 400 * DAY, maxBytes: null };

/** Bounds of each setting: raw at least the 10-minute live window; a cap below 10 MB would eat the live view. */
export const RETENTION_BOUNDS = {
  rawMs: [10 * MIN, 7 * DAY],
  minuteMs: [DAY, 400 * DAY],
  hourMs: [DAY, 3650 * DAY],
  maxBytes: [10 * 1024 * 1024, 1024 ** 4],
} as const;

const clamp = (v: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Any stored or typed value as valid settings: missing or non-numeric fields fall back to the defaults, the rest are clamped. */
export function sanitizeRetention(v: unknown): RetentionSettings {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const d = DEFAULT_RETENTION_SETTINGS;
  const cap = num(o.maxBytes);
  return {
    rawMs: clamp(num(o.rawMs) ?? d.rawMs, RETENTION_BOUNDS.rawMs),
    minuteMs: clamp(num(o.minuteMs) ?? d.minuteMs, RETENTION_BOUNDS.minuteMs),
    hourMs: clamp(num(o.hourMs) ?? d.hourMs, RETENTION_BOUNDS.hourMs),
    maxBytes: cap === null || cap <= 0 ? null : clamp(cap, RETENTION_BOUNDS.maxBytes),
  };
}

/** Measured by `npm run bench` (bytes per sample, raw tier). */
export const RAW_BYTES_PER_SAMPLE = 10.15;
/** float32 min, max, avg, last per series. */
const ROLLUP_BYTES_PER_SERIES = 16;
/** endpoint_id, ts, layout_id, n, the blob's header and the index entry, per rollup row. */
const ROLLUP_ROW_BYTES = 40;

/** One endpoint as the cost estimate sees it. */
export interface CostInput {
  /** Series stored per tick (the keys of its newest layout). */
  series: number;
  intervalMs: number;
}

/** Bytes per tier once each tier holds its full window, and bytes added per day of raw samples. */
export interface RetentionCost {
  raw: number;
  minute: number;
  hour: number;
  total: number;
  /** What one day of raw samples weighs before it is rolled up. */
  rawPerDay: number;
}

/** What `settings` cost on disk for one endpoint, when each tier has filled its window. */
export function retentionCost(settings: RetentionSettings, e: CostInput): RetentionCost {
  const rawPerDay = (DAY / Math.max(100, e.intervalMs)) * e.series * RAW_BYTES_PER_SAMPLE;
  const rollupRow = e.series * ROLLUP_BYTES_PER_SERIES + ROLLUP_ROW_BYTES;
  const raw = rawPerDay * (settings.rawMs / DAY);
  const minute = (settings.minuteMs / MIN) * rollupRow;
  const hour = (settings.hourMs / HOUR) * rollupRow;
  return { raw, minute, hour, total: raw + minute + hour, rawPerDay };
}
