/**
 * Row checks for an imported database, run on the fresh copy after it reached the current schema.
 * A bad endpoint, model, catalogue, setting or local Prometheus copy is removed and named; a bad metric
 * row (layout, frame, rollup, event, line of a copy) is removed and counted. Nothing here trusts what
 * the file says about itself.
 */
import { normaliseUrl, MIN_INTERVAL_MS } from './endpoints';
import { rows, type DB } from './sql';
import { errorText } from '../lib/error-text';
import { ROLLUP_STATS } from '../lib/frame-codec';
import { checkCopies } from './prom-copies';

/** What the checks removed: named rows of configuration, and counts of metric rows per table. */
export interface RowProblems {
  skipped: string[];
  metricSkips: Record<string, number>;
}

type Row = Record<string, unknown>;

const STATUSES = new Set(['running', 'loading', 'stopped', 'error', 'draft']);
const ARG_TYPES = new Set(['flag', 'bool', 'int', 'float', 'string', 'enum', 'string_pair']);

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isText = (v: unknown): v is string => typeof v === 'string';

function parsed(text: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof text !== 'string') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const isStringArray = (v: unknown) => Array.isArray(v) && v.every(isText);
const isPlainObject = (v: unknown): v is Row => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Why a catalogue row is unusable, or null. */
function catalogueProblem(r: Row): string | null {
  if (!isText(r.build) || !r.build.trim()) return 'it names no build';
  if (!isText(r.help_text)) return 'its help text is not text';
  if (!isInt(r.created_at)) return 'its date is not a number';
  const c = parsed(r.catalogue);
  if (!c.ok || !isPlainObject(c.value) || !Array.isArray(c.value.args)) return 'its parameter list is not valid JSON of the expected shape';
  const bad = c.value.args.find((a: unknown) => !isPlainObject(a) || !isText(a.key) || !isStringArray(a.flags) || !ARG_TYPES.has(String(a.type)));
  return bad === undefined ? null : 'a parameter in it lacks a key, flags or a known type';
}

/** Why an endpoint row is unusable, or null; `url` receives the canonical address. */
function endpointProblem(r: Row, url: { value: string }): string | null {
  if (r.kind !== 'llama' && r.kind !== 'exporter' && r.kind !== 'prometheus') return `its kind "${String(r.kind)}" is unknown`;
  if (!isText(r.name)) return 'its name is not text';
  if (!isText(r.url)) return 'its address is not text';
  try {
    url.value = normaliseUrl(r.url);
  } catch (e) {
    return errorText(e);
  }
  if (r.api_key !== null && !isText(r.api_key)) return 'its API key is not text';
  if (!isInt(r.interval_ms) || r.interval_ms < MIN_INTERVAL_MS) return `its poll interval ${String(r.interval_ms)} ms is below the app's minimum of ${MIN_INTERVAL_MS} ms`;
  if (r.enabled !== 0 && r.enabled !== 1) return 'its enabled flag is neither 0 nor 1';
  if (!isInt(r.created_at)) return 'its date is not a number';
  return null;
}

/** Why a model row is unusable, or null. */
function modelProblem(r: Row): string | null {
  if (!isText(r.name) || !r.name.trim()) return 'it has no name';
  for (const c of ['family', 'type', 'notes'] as const) if (!isText(r[c])) return `its ${c} is not text`;
  if (!STATUSES.has(String(r.status))) return `its status "${String(r.status)}" is unknown`;
  const args = parsed(r.args);
  if (!args.ok || !isPlainObject(args.value)) return 'its arguments are not a JSON object';
  const badArg = Object.entries(args.value).find(([, v]) => v !== null && !['string', 'boolean'].includes(typeof v) && !(typeof v === 'number' && Number.isFinite(v)));
  if (badArg) return `its argument ${badArg[0]} has a value that is not text, a finite number, true/false or empty`;
  const extra = parsed(r.extra_args);
  if (!extra.ok || !isStringArray(extra.value)) return 'its extra arguments are not a JSON list of strings';
  for (const c of ['catalogue_id', 'endpoint_id'] as const) if (r[c] !== null && !isInt(r[c])) return `its ${c.replace('_', ' ')} is not a number`;
  if (r.router_model !== null && !isText(r.router_model)) return 'its router model is not text';
  if (!isInt(r.created_at) || !isInt(r.updated_at)) return 'its dates are not numbers';
  return null;
}

function remove(db: DB, table: string, where: string, ids: unknown[]): void {
  if (ids.length) db.exec({ sql: `DELETE FROM ${table} WHERE ${where} IN (SELECT value FROM json_each(?))`, bind: [JSON.stringify(ids)] });
}

/** Checks configuration rows; removes and names the bad ones. */
function checkConfiguration(db: DB, skipped: string[]): void {
  const badCatalogues: number[] = [];
  for (const r of rows<Row>(db, 'SELECT * FROM catalogues ORDER BY id')) {
    const why = catalogueProblem(r);
    if (why) { badCatalogues.push(r.id as number); skipped.push(`catalogue ${String(r.id)} (${String(r.build)}): ${why}`); }
  }
  remove(db, 'catalogues', 'id', badCatalogues);

  const badEndpoints: number[] = [];
  for (const r of rows<Row>(db, 'SELECT * FROM endpoints ORDER BY id')) {
    const url = { value: '' };
    let why = endpointProblem(r, url);
    if (!why && url.value !== r.url) {
      try {
        db.exec({ sql: 'UPDATE endpoints SET url = ? WHERE id = ?', bind: [url.value, r.id as number] });
      } catch (e) {
        why = `its address ${url.value} is already used by another endpoint (${errorText(e)})`;
      }
    }
    if (why) { badEndpoints.push(r.id as number); skipped.push(`endpoint ${String(r.id)} "${String(r.name)}": ${why}`); }
  }
  remove(db, 'endpoints', 'id', badEndpoints);

  const badModels: number[] = [];
  for (const r of rows<Row>(db, 'SELECT * FROM models ORDER BY id')) {
    const why = modelProblem(r);
    if (why) { badModels.push(r.id as number); skipped.push(`model configuration ${String(r.id)} "${String(r.name)}": ${why}`); }
  }
  remove(db, 'models', 'id', badModels);
  for (const r of rows<Row>(db, `SELECT id, name FROM models WHERE catalogue_id IS NOT NULL AND catalogue_id NOT IN (SELECT id FROM catalogues)`)) {
    skipped.push(`model configuration ${String(r.id)} "${String(r.name)}": its catalogue is not in the file, so it now uses the built-in one`);
  }
  db.exec(`UPDATE models SET catalogue_id = NULL WHERE catalogue_id NOT IN (SELECT id FROM catalogues);
    UPDATE models SET endpoint_id = NULL, router_model = NULL WHERE endpoint_id NOT IN (SELECT id FROM endpoints)`);

  const badSettings: string[] = [];
  for (const r of rows<Row>(db, 'SELECT key, value FROM metadata ORDER BY key')) {
    if (!isText(r.key) || !parsed(r.value).ok) { badSettings.push(String(r.key)); skipped.push(`setting "${String(r.key)}": its value is not valid JSON`); }
  }
  remove(db, 'metadata', 'key', badSettings);
}

/** Every stored value of a packed blob is a finite number or NaN (missing): never ±Infinity. */
function blobFinite(vals: Uint8Array, width: 4 | 8): boolean {
  const copy = vals.slice();
  const view = width === 8 ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer);
  for (const v of view) if (v === Infinity || v === -Infinity) return false;
  return true;
}

/** Checks metric rows; removes and counts the bad ones per table. */
function checkMetrics(db: DB, counts: Record<string, number>): void {
  const endpoints = new Set(db.selectValues('SELECT id FROM endpoints') as number[]);
  const layouts = new Map<number, { endpointId: number; keys: number }>();
  const badLayouts: number[] = [];
  for (const r of rows<Row>(db, 'SELECT id, endpoint_id, keys FROM layouts')) {
    const keys = parsed(r.keys);
    if (endpoints.has(r.endpoint_id as number) && keys.ok && isStringArray(keys.value)) {
      layouts.set(r.id as number, { endpointId: r.endpoint_id as number, keys: (keys.value as string[]).length });
    } else badLayouts.push(r.id as number);
  }
  remove(db, 'layouts', 'id', badLayouts);
  if (badLayouts.length) counts.layouts = badLayouts.length;

  for (const [table, rollup] of [['frames', false], ['frames_1m', true], ['frames_1h', true]] as const) {
    const width = rollup ? 4 : 8;
    const inf = rollup ? ["x'0000807F'", "x'000080FF'"] : ["x'000000000000F07F'", "x'000000000000F0FF'"];
    // SQLite picks the suspects (a superset of the bad rows: ±Infinity's bytes may also match across
    // two values) so that only those cross into JS, where each is checked exactly.
    const bad: number[] = [];
    const q = db.prepare(`SELECT f.rowid, f.endpoint_id, f.ts, f.layout_id, f.vals${rollup ? ', f.n' : ''} FROM ${table} f
      LEFT JOIN layouts l ON l.id = f.layout_id
      WHERE l.id IS NULL OR l.endpoint_id IS NOT f.endpoint_id OR typeof(f.ts) <> 'integer' OR typeof(f.vals) <> 'blob'
        OR length(f.vals) <> json_array_length(l.keys) * ${rollup ? ROLLUP_STATS * 4 : 8}
        ${rollup ? "OR typeof(f.n) <> 'integer' OR f.n <= 0" : ''} OR instr(f.vals, ${inf[0]}) > 0 OR instr(f.vals, ${inf[1]}) > 0`);
    try {
      while (q.step()) {
        const [rowid, endpointId, ts, layoutId, vals, n] = q.get([]) as unknown[];
        const l = layouts.get(layoutId as number);
        const ok = l !== undefined && l.endpointId === endpointId && isInt(ts) && vals instanceof Uint8Array &&
          vals.byteLength === l.keys * (rollup ? ROLLUP_STATS * 4 : 8) && (!rollup || (isInt(n) && n > 0)) && blobFinite(vals, width);
        if (!ok) bad.push(rowid as number);
      }
    } finally {
      q.finalize();
    }
    remove(db, table, 'rowid', bad);
    if (bad.length) counts[table] = bad.length;
  }

  const badEvents: number[] = [];
  for (const r of rows<Row>(db, 'SELECT id, endpoint_id, ts, kind, detail FROM events')) {
    if (!endpoints.has(r.endpoint_id as number) || !isInt(r.ts) || !isText(r.kind) || (r.detail !== null && !isText(r.detail))) badEvents.push(r.id as number);
  }
  remove(db, 'events', 'id', badEvents);
  if (badEvents.length) counts.events = badEvents.length;
}

/** Checks every row of a database at the current schema, removing what the app could not use safely. */
export function validateRows(db: DB): RowProblems {
  const problems: RowProblems = { skipped: [], metricSkips: {} };
  checkConfiguration(db, problems.skipped);
  checkMetrics(db, problems.metricSkips);
  checkCopies(db, problems.skipped, problems.metricSkips);
  return problems;
}
