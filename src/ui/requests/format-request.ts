/** How the Requests view writes its figures. */
import { MISSING, formatNumber } from '../../lib/format';

/** A latency in ms: "840 ms", "1.74 s", "10.2 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return MISSING;
  if (Math.abs(ms) < 1000) return `${formatNumber(Math.round(ms))} ms`;
  const s = ms / 1000;
  return `${formatNumber(Number(s.toPrecision(s < 10 ? 3 : 4)))} s`;
}

/** A speed in tokens/s with one decimal below 100. */
export function formatTps(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return MISSING;
  return `${formatNumber(v < 100 ? Math.round(v * 10) / 10 : Math.round(v))} tok/s`;
}

/** A local time with seconds, and the date when it is not today. */
export function formatWhen(ms: number | null | undefined, now: number): string {
  if (ms == null) return MISSING;
  const d = new Date(ms);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return d.toDateString() === new Date(now).toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}
