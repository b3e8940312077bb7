/**
 * Bounds on what a server can make the dashboard read, parse and store. A real llama-server answers
 * /metrics with ~3 kB, /slots with ~2 kB per slot and exposes ~25 series; these limits sit far above
 * that, so they only ever stop a broken or hostile server from freezing the page or filling the disk.
 * Pure.
 */

/** Largest response body read from a server; past it the read is cancelled. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Largest exporter /api/v1/history reply: columnar JSON of an hour of 1 s samples is ~2 MB with 8 GPUs;
 * a longer --history needs more.
 */
export const MAX_HISTORY_BYTES = 32 * 1024 * 1024;

/** Most slots believed from /props total_slots or read from /slots (llama-server's -np is rarely above 64). */
export const MAX_SLOTS = 512;

/** Most models read from a router's /models list. */
export const MAX_MODELS = 512;

/** Longest string kept from a server (model names, build strings, label values). */
export const MAX_TEXT = 1024;

/** Prometheus text: most labels on one sample, and most samples and reported errors per body. */
export const MAX_LABELS = 32;
export const MAX_SAMPLES = 20_000;
export const MAX_PARSE_ERRORS = 100;

/** Most distinct series stored per endpoint; keys past it are dropped. */
export const MAX_SERIES = 512;

/** "4 MiB" for a byte count; whole MiB or KiB when exact, else bytes. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** A string cut to `max` characters (with an ellipsis), so one answer cannot carry megabytes of text. */
export function clipText(s: string, max = MAX_TEXT): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** A count from a server clamped to 0..max; null stays null (unknown). */
export function clampCount(n: number | null, max: number): number | null {
  return n === null ? null : Math.min(max, Math.max(0, Math.floor(n)));
}

/** While idle ticks of a llama-server take their /metrics from an exporter's stream, the server itself is still asked this often (ms). */
export const RELAY_VERIFY_MS = 10_000;
