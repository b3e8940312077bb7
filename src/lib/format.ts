/**
 * Pure formatting for the dashboard: numbers, rates, bytes, durations and units.
 * Every function takes null/NaN and returns a dash, because a missing sample is not zero.
 */

/** What the UI shows for a missing value. */
export const MISSING = '–';

/** The units a series can carry; the chart legend and the cards format by these. */
export type Unit = 'tok/s' | 'count' | 'ratio' | 'percent' | 'bytes' | 'seconds' | 'per-min' | 'watts' | 'celsius' | 'none';

function missing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || Number.isNaN(v);
}

/**
 * One formatter per number of fraction digits, made once: Number.toLocaleString with options builds a
 * new formatter on every call, and the chart axes format their labels on every redraw.
 */
const NUMBER_FORMATS = [0, 1, 2, 3].map((digits) => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }));

/**
 * A number with about three significant digits, grouped thousands for big ones: 0.123, 1.23, 12.3, 123, 1,234.
 * Keeps small rates readable without printing long fractions.
 */
export function formatNumber(v: number | null | undefined): string {
  if (missing(v)) return MISSING;
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  let digits: number;
  if (a === 0 || a >= 100) digits = 0;
  else if (a >= 10) digits = 1;
  else if (a >= 1) digits = 2;
  else digits = 3;
  const s = NUMBER_FORMATS[digits].format(v);
  return s === '-0' ? '0' : s;
}

/** Tokens per second, e.g. "42.5 tok/s". */
export function formatTokensPerSecond(v: number | null | undefined): string {
  return missing(v) ? MISSING : `${formatNumber(v)} tok/s`;
}

/** A 0..1 fraction as a percentage, e.g. 0.425 → "42.5 %". */
export function formatRatio(v: number | null | undefined): string {
  return missing(v) ? MISSING : formatPercent(v * 100);
}

/** A value already in percent, e.g. 42.5 → "42.5 %". */
export function formatPercent(v: number | null | undefined): string {
  return missing(v) ? MISSING : `${formatNumber(v)} %`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes in binary units, e.g. 1536 → "1.5 KiB". */
export function formatBytes(v: number | null | undefined): string {
  if (missing(v)) return MISSING;
  let n = Math.abs(v);
  let i = 0;
  while (n >= 1024 && i < BYTE_UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return `${v < 0 ? '−' : ''}${formatNumber(n)} ${BYTE_UNITS[i]}`;
}

/**
 * A duration in seconds as the two largest units that matter: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h".
 * Below one second it shows milliseconds, so request latencies stay readable.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (missing(seconds)) return MISSING;
  if (!Number.isFinite(seconds)) return '∞';
  const sign = seconds < 0 ? '−' : '';
  const s = Math.abs(seconds);
  if (s === 0) return '0 s';
  if (s < 1) return `${sign}${formatNumber(Math.round(s * 1000))} ms`;
  const total = Math.floor(s);
  const parts: [number, string][] = [
    [Math.floor(total / 86400), 'd'],
    [Math.floor((total % 86400) / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'min'],
    [total % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  const shown = parts.slice(first, first + 2).filter(([n], i) => i === 0 || n > 0);
  return sign + shown.map(([n, u]) => `${n} ${u}`).join(' ');
}

/** How long ago `ts` (ms) was relative to `now` (ms): "just now", "5 s ago", "3 min ago". */
export function formatAgo(ts: number | null | undefined, now: number): string {
  if (missing(ts)) return 'never';
  const s = (now - ts) / 1000;
  // Below a second (or slightly negative from clock skew between worker and page) reads as now.
  if (s < 1) return 'just now';
  return `${formatDuration(Math.floor(s))} ago`;
}

/** A value in the given unit, as the chart legend and the cards print it. */
export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (missing(v)) return MISSING;
  switch (unit) {
    case 'tok/s': return formatTokensPerSecond(v);
    case 'ratio': return formatRatio(v);
    case 'percent': return formatPercent(v);
    case 'bytes': return formatBytes(v);
    case 'seconds': return formatDuration(v);
    case 'per-min': return `${formatNumber(v)} /min`;
    case 'watts': return `${formatNumber(v)} W`;
    case 'celsius': return `${formatNumber(v)} °C`;
    case 'count':
    case 'none':
      return formatNumber(v);
  }
}

/** The short axis label for a unit ("" where the numbers speak for themselves). */
export function unitLabel(unit: Unit): string {
  switch (unit) {
    case 'tok/s': return 'tok/s';
    case 'ratio':
    case 'percent': return '%';
    case 'bytes': return 'bytes';
    case 'seconds': return 's';
    case 'per-min': return '/min';
    case 'watts': return 'W';
    case 'celsius': return '°C';
    default: return '';
  }
}

/** A local date-time for a ms timestamp, minute precision, in the form an <input type="datetime-local"> takes. */
export function toDatetimeLocal(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Parses what an <input type="datetime-local"> gives back; null when empty or invalid. */
export function fromDatetimeLocal(s: string): number | null {
  if (!s) return null;
  const ms = new Date(s).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** A short number for axis ticks: 950, 1.2k, 3.4M (the axis label carries the unit). */
export function formatCompact(v: number | null | undefined): string {
  if (missing(v)) return MISSING;
  const a = Math.abs(v);
  if (a < 1000) return formatNumber(v);
  const [div, suffix] = a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
  return `${formatNumber(Number((v / div).toPrecision(3)))}${suffix}`;
}

/**
 * A tick label on a chart's value axis: short, with the unit only where the number alone would mislead
 * (percent, bytes, durations); other units go in the axis title (see unitLabel).
 */
export function formatAxisValue(v: number | null | undefined, unit: Unit): string {
  if (missing(v)) return '';
  switch (unit) {
    case 'ratio': return `${formatNumber(Math.round(v * 1000) / 10)} %`;
    case 'percent': return `${formatNumber(v)} %`;
    case 'bytes': return formatBytes(v);
    case 'seconds': return formatDuration(v);
    default: return formatCompact(v);
  }
}
