/** CSV writing (RFC 4180) that a spreadsheet cannot be tricked into running. */

export type CsvCell = string | number | null | undefined;

// Spreadsheets treat a cell starting with these as a formula (OWASP "CSV injection"); tab and CR
// are on the list because some programs strip them and then see the formula.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell: numbers as written by JavaScript (non-finite and missing become empty), text quoted when
 * it holds a comma, quote or line break, and text that a spreadsheet would read as a formula
 * prefixed with a single quote. Numbers are never prefixed: -3 is data, not a formula.
 */
export function csvCell(v: CsvCell): string {
  if (v == null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const safe = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A whole CSV file: a header row, then one line per row, CRLF line ends as RFC 4180 says. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) lines.push(r.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * A chart's columnar data as CSV: `time` (ISO 8601, UTC) and `time_ms` (ms since the epoch), then one
 * column per series, headed by its label. `ts` is in seconds (uPlot's unit).
 */
export function chartCsv(
  series: readonly { key: string; label: string }[],
  ts: readonly number[],
  values: Readonly<Record<string, readonly (number | null)[]>>,
): string {
  const cols = series.map((s) => values[s.key]);
  const rows = ts.map((t, i) => [new Date(t * 1000).toISOString(), Math.round(t * 1000), ...cols.map((c) => c?.[i] ?? null)]);
  return toCsv(['time', 'time_ms', ...series.map((s) => s.label)], rows);
}

/** A file name from a title: lower case, words joined by dashes, with the date. */
export function csvFileName(title: string, at: Date, ext = 'csv'): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'chart';
  return `${slug}-${at.toISOString().slice(0, 19).replace(/[:T]/g, '-')}.${ext}`;
}
