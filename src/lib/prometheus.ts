/**
 * Prometheus text exposition format (0.0.4) parser. Pure, never throws: bad lines are skipped and
 * reported with their 1-based line number, everything else is returned. Histograms and summaries come
 * out as plain samples (`x_bucket{le="..."}`, `x_sum`, `x_count`), which is all the dashboard stores.
 * Bounded (lib/limits.ts): names and label values up to MAX_TEXT characters, MAX_LABELS labels per
 * sample, MAX_SAMPLES samples and families and MAX_PARSE_ERRORS errors per body; past these a line is
 * refused or the rest of the body is left unread, and an error says so.
 */

import { clipText, MAX_LABELS, MAX_PARSE_ERRORS, MAX_SAMPLES, MAX_TEXT } from './limits';

export type PromType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromFamily {
  name: string;
  type: PromType;
  /** Unescaped HELP text; '' for an empty HELP, null when there was none. */
  help: string | null;
}

export interface PromSample {
  name: string;
  /** Null-prototype record, so a label called `__proto__` is just a label. */
  labels: Record<string, string>;
  value: number;
  timestampMs: number | null;
  /** 1-based line the sample came from. */
  line: number;
}

export interface PromError {
  line: number;
  message: string;
}

export interface PromParseResult {
  samples: PromSample[];
  /** Keyed by metric family name (a Map so names like `__proto__` are safe). */
  families: Map<string, PromFamily>;
  errors: PromError[];
}

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT = /^-?\d+$/;

/**
 * Reads a sample value the way Prometheus does (Go's ParseFloat): decimal floats plus NaN and
 * ±Inf/Infinity in any case. Returns null for anything else (no silent 0).
 */
export function parsePromValue(text: string): number | null {
  if (FLOAT.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  const sign = lower.startsWith('-') ? -1 : 1;
  const bare = lower.replace(/^[+-]/, '');
  if (bare === 'inf' || bare === 'infinity') return sign * Infinity;
  return null;
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t';
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

interface Cursor {
  s: string;
  i: number;
}

function skipSpace(c: Cursor): void {
  while (c.i < c.s.length && isSpace(c.s[c.i])) c.i++;
}

function readWhile(c: Cursor, ok: (ch: string, first: boolean) => boolean): string {
  const start = c.i;
  while (c.i < c.s.length && ok(c.s[c.i], c.i === start)) c.i++;
  return c.s.slice(start, c.i);
}

const nameChar = (ch: string, first: boolean) =>
  /[a-zA-Z_:]/.test(ch) || (!first && ch >= '0' && ch <= '9');
const labelChar = (ch: string, first: boolean) =>
  /[a-zA-Z_]/.test(ch) || (!first && ch >= '0' && ch <= '9');

type Read<T> = { ok: true; value: T } | { ok: false; error: string };

/** Reads `"..."` with the \\ \" \n escapes. */
function readQuoted(c: Cursor): Read<string> {
  if (c.s[c.i] !== '"') return { ok: false, error: 'expected " to open a label value' };
  c.i++;
  let out = '';
  while (c.i < c.s.length) {
    const ch = c.s[c.i++];
    if (ch === '"') return { ok: true, value: out };
    if (out.length >= MAX_TEXT) return { ok: false, error: `label value longer than ${MAX_TEXT} characters` };
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = c.s[c.i++];
    if (next === '\\') out += '\\';
    else if (next === '"') out += '"';
    else if (next === 'n') out += '\n';
    else return { ok: false, error: `invalid escape \\${next ?? ''} in label value` };
  }
  return { ok: false, error: 'label value is not closed' };
}

function readLabels(c: Cursor): Read<Record<string, string>> {
  const labels: Record<string, string> = Object.create(null);
  let count = 0;
  c.i++; // '{'
  for (;;) {
    skipSpace(c);
    if (c.s[c.i] === '}') {
      c.i++;
      return { ok: true, value: labels };
    }
    const name = readWhile(c, labelChar);
    if (!name) return { ok: false, error: `invalid label name at column ${c.i + 1}` };
    if (name.length > MAX_TEXT) return { ok: false, error: `label name longer than ${MAX_TEXT} characters` };
    skipSpace(c);
    if (c.s[c.i] !== '=') return { ok: false, error: `expected = after label ${name}` };
    c.i++;
    skipSpace(c);
    const value = readQuoted(c);
    if (!value.ok) return value;
    if (Object.prototype.hasOwnProperty.call(labels, name)) return { ok: false, error: `duplicate label ${name}` };
    if (++count > MAX_LABELS) return { ok: false, error: `more than ${MAX_LABELS} labels` };
    labels[name] = value.value;
    skipSpace(c);
    if (c.s[c.i] === ',') {
      c.i++;
      continue;
    }
    if (c.s[c.i] === '}') continue;
    return { ok: false, error: `expected , or } after label ${name}` };
  }
}

/** Records an error, up to MAX_PARSE_ERRORS of them (the last one says more were left out). */
function addError(res: PromParseResult, line: number, message: string): void {
  if (res.errors.length < MAX_PARSE_ERRORS) res.errors.push({ line, message });
  else if (res.errors.length === MAX_PARSE_ERRORS) res.errors.push({ line, message: `more than ${MAX_PARSE_ERRORS} bad lines; the rest are not listed` });
}

function parseComment(line: string, lineNo: number, res: PromParseResult): void {
  const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
  if (!m) return; // any other comment is just a comment
  const [, kind, name, rest = ''] = m;
  if (name.length > MAX_TEXT || !METRIC_NAME.test(name)) {
    addError(res, lineNo, `invalid metric name in ${kind}: ${clipText(name, 80)}`);
    return;
  }
  if (!res.families.has(name) && res.families.size >= MAX_SAMPLES) {
    addError(res, lineNo, `more than ${MAX_SAMPLES} metric families; ${name} is ignored`);
    return;
  }
  const fam = res.families.get(name) ?? { name, type: 'untyped' as PromType, help: null };
  if (kind === 'HELP') {
    fam.help = clipText(unescapeHelp(rest));
  } else {
    const t = rest.trim();
    if (!TYPES.has(t)) {
      addError(res, lineNo, `unknown type "${clipText(t, 80)}" for ${name}`);
      return;
    }
    fam.type = t as PromType;
  }
  res.families.set(name, fam);
}

function parseSampleLine(line: string, lineNo: number, res: PromParseResult): void {
  const c: Cursor = { s: line, i: 0 };
  skipSpace(c);
  const name = readWhile(c, nameChar);
  if (!name) {
    addError(res, lineNo, 'expected a metric name');
    return;
  }
  if (name.length > MAX_TEXT) {
    addError(res, lineNo, `metric name longer than ${MAX_TEXT} characters`);
    return;
  }
  const afterName = c.i;
  skipSpace(c);
  let labels: Record<string, string> = Object.create(null);
  if (c.s[c.i] === '{') {
    const parsed = readLabels(c);
    if (!parsed.ok) {
      addError(res, lineNo, `${name}: ${parsed.error}`);
      return;
    }
    labels = parsed.value;
  } else if (c.i === afterName && c.i < c.s.length) {
    addError(res, lineNo, `${name}: unexpected character "${c.s[c.i]}"`);
    return;
  }
  const fields = c.s.slice(c.i).trim().split(/[ \t]+/).filter(Boolean);
  if (fields.length === 0 || fields.length > 2) {
    addError(res, lineNo, `${name}: expected a value and an optional timestamp`);
    return;
  }
  const value = parsePromValue(fields[0]);
  if (value === null) {
    addError(res, lineNo, `${name}: "${clipText(fields[0], 80)}" is not a number`);
    return;
  }
  let timestampMs: number | null = null;
  if (fields.length === 2) {
    if (!INT.test(fields[1]) || !Number.isSafeInteger(Number(fields[1]))) {
      addError(res, lineNo, `${name}: "${clipText(fields[1], 80)}" is not a timestamp in milliseconds`);
      return;
    }
    timestampMs = Number(fields[1]);
  }
  res.samples.push({ name, labels, value, timestampMs, line: lineNo });
}

/** Parses a whole /metrics body. Accepts LF or CRLF line ends and a missing final newline. */
export function parsePrometheus(text: string): PromParseResult {
  const res: PromParseResult = { samples: [], families: new Map(), errors: [] };
  const lines = String(text).split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].endsWith('\r') ? lines[n].slice(0, -1) : lines[n];
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      parseComment(line.trimStart(), n + 1, res);
    } else if (res.samples.length >= MAX_SAMPLES) {
      res.errors.push({ line: n + 1, message: `more than ${MAX_SAMPLES} samples; the rest of the answer was not read` });
      break;
    } else {
      parseSampleLine(line, n + 1, res);
    }
  }
  return res;
}
