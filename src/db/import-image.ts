/**
 * Reads an imported SQLite file as data, never as code. The file is opened as an in-memory copy,
 * checked, then attached read-only to a fresh database and read only with plain SELECTs of the app's
 * own tables and columns, which fire nothing; its schema
 * (triggers, views, extra tables, indexes) never runs. Its rows go into a fresh database built by the
 * app's own migrations at the file's schema version, which is then migrated to the current one, and
 * every row is checked. Only that fresh database may replace the live one.
 */
import { foreignReason, migrate, schemaVersion, SCHEMA_VERSION } from './schema';
import { asRollbackImage, attachImage, newCopy, openImage } from './image-copy';
import { inTx, rows, type DB, type Sqlite3 } from './sql';
import { validateRows } from './import-validate';
import { SECRETS_STRIPPED_KEY, type StrippedSecrets } from './export-image';
import { errorText } from '../lib/error-text';

const MAGIC = 'SQLite format 3\0';

/** What an accepted file brought, and what it did not. */
export interface ImportReport {
  /** Schema objects and columns of the file that are not the app's, by kind and name; none of them ran. */
  leftOut: string[];
  /** Rows of endpoints, model configurations, catalogues and settings that were refused, with why. */
  skipped: string[];
  /** Invalid metric rows dropped, per table. */
  metricSkips: Record<string, number>;
  /** Endpoints whose API key was not exported (the file says so) and that have none now. */
  needKeys: string[];
  /** Model configurations whose secret arguments were not exported. */
  needSecrets: string[];
}

export type ImageCheck =
  | { ok: true; message: string; version: number; image: Uint8Array; report: ImportReport }
  | { ok: false; message: string; version?: number };

/** Why the header says this is no SQLite file or a cut-off one, or null. */
function headerProblem(bytes: Uint8Array): string | null {
  if (bytes.length < 100 || String.fromCharCode(...bytes.subarray(0, 16)) !== MAGIC) {
    return 'This file is not a SQLite database: choose a .sqlite3 file exported by Llama Dashboard';
  }
  const pageSize = ((bytes[16] << 8) | bytes[17]) === 1 ? 65536 : (bytes[16] << 8) | bytes[17];
  const u32 = (at: number) => ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  // The header's page count is only valid when its "version-valid-for" matches the change counter.
  const pages = u32(92) === u32(24) ? u32(28) : 0;
  if (pageSize >= 512 && pages > 0 && bytes.length < pageSize * pages) {
    return `This file is truncated or damaged: it should hold ${pages * pageSize} bytes but has ${bytes.length}. Export it again from the original.`;
  }
  return null;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface SchemaObject { type: string; name: string; tbl_name: string; sql: string | null }

/** Name the file is attached under while its rows are copied. */
const SRC = 'imported';

function schemaObjects(db: DB, schema: string): SchemaObject[] {
  return rows<SchemaObject>(db, `SELECT type, name, tbl_name, sql FROM ${schema}.sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`);
}

const isVirtual = (o: SchemaObject) => /^\s*CREATE\s+VIRTUAL\s/i.test(o.sql ?? '');

/** A refused row's name for the user; null for metric tables, whose refusals are counted. */
function rowLabel(table: string, r: Record<string, unknown>): string | null {
  if (table === 'endpoints') return `endpoint ${String(r.id)} "${String(r.name)}"`;
  if (table === 'models' || table === 'model_configs') return `model configuration ${String(r.id)} "${String(r.name)}"`;
  if (table === 'catalogues') return `catalogue ${String(r.id)} (${String(r.build)})`;
  if (table === 'metadata') return `setting "${String(r.key)}"`;
  return null;
}

/** Copies one table row by row, so that each refused row can be named (or counted) with its reason. */
function copyEach(fresh: DB, table: string, cols: string[], report: ImportReport): void {
  const read = fresh.prepare(`SELECT ${cols.map(q).join(', ')} FROM ${SRC}.${q(table)}`);
  const write = fresh.prepare(`INSERT INTO main.${q(table)}(${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  try {
    while (read.step()) {
      const values = read.get([]) as (string | number | null | Uint8Array)[];
      try {
        write.bind(values).stepReset();
      } catch (e) {
        try {
          write.reset();
        } catch {
          // sqlite3_reset repeats the failed step's error, which is the one reported below.
        }
        const label = rowLabel(table, Object.fromEntries(cols.map((c, i) => [c, values[i]])));
        // "SQLITE_CONSTRAINT_CHECK: sqlite3 result code 275: CHECK constraint failed: ..." → the rule it broke.
        if (label) report.skipped.push(`${label}: it does not fit the app's table (${errorText(e).replace(/^SQLITE_\w+: sqlite3 result code \d+: /, '')})`);
        else report.metricSkips[table] = (report.metricSkips[table] ?? 0) + 1;
      }
    }
  } finally {
    read.finalize();
    write.finalize();
  }
}

/**
 * Copies the rows of every table `fresh` has from the attached file, with plain SELECTs of the
 * columns both have into plain INSERTs: in one statement per table, or row by row when that one
 * fails on a row. Returns the tables the file lacks, or null; what was left out goes to `report`.
 */
function copyRows(fresh: DB, report: ImportReport): string[] | null {
  const ours = new Map(schemaObjects(fresh, 'main').map((o) => [`${o.type} ${o.name}`, o]));
  const tables = schemaObjects(fresh, 'main').filter((o) => o.type === 'table').map((o) => o.name);
  const readable = new Set<string>();
  for (const o of schemaObjects(fresh, SRC)) {
    if (o.type === 'table' && tables.includes(o.name) && !isVirtual(o)) readable.add(o.name);
    else if (!ours.has(`${o.type} ${o.name}`) || isVirtual(o)) report.leftOut.push(`${isVirtual(o) ? 'virtual table' : o.type} ${o.name}`);
  }
  const missing = tables.filter((t) => !readable.has(t));
  if (missing.length) return missing;
  for (const table of tables) {
    const want = new Set(fresh.selectValues("SELECT name FROM pragma_table_info(?, 'main')", [table]).map(String));
    const have = fresh.selectValues(`SELECT name FROM pragma_table_info(?, '${SRC}')`, [table]).map(String);
    const cols = have.filter((c) => want.has(c));
    for (const c of have) if (!want.has(c)) report.leftOut.push(`column ${table}.${c}`);
    for (const c of want) if (!have.includes(c)) report.leftOut.push(`column ${table}.${c} (absent from the file: defaults used)`);
    if (!cols.length) continue;
    const list = cols.map(q).join(', ');
    try {
      inTx(fresh, () => fresh.exec(`INSERT INTO main.${q(table)}(${list}) SELECT ${list} FROM ${SRC}.${q(table)}`));
    } catch {
      copyEach(fresh, table, cols, report);
    }
  }
  return null;
}

/** Endpoints and models whose secrets the file says were not exported, and that still lack them. */
function readSecretsMarker(fresh: DB, report: ImportReport): void {
  const json = fresh.selectValue('SELECT value FROM metadata WHERE key = ?', [SECRETS_STRIPPED_KEY]);
  fresh.exec({ sql: 'DELETE FROM metadata WHERE key = ?', bind: [SECRETS_STRIPPED_KEY] });
  let marker: Partial<StrippedSecrets> = {};
  try {
    marker = typeof json === 'string' ? (JSON.parse(json) as Partial<StrippedSecrets>) : {};
  } catch {
    return;
  }
  const keyless = new Map(rows<{ id: number; name: string }>(fresh, 'SELECT id, name FROM endpoints WHERE api_key IS NULL').map((r) => [r.id, r.name]));
  for (const e of Array.isArray(marker.endpoints) ? marker.endpoints : []) if (keyless.has(e?.id)) report.needKeys.push(keyless.get(e.id)!);
  const models = new Map(rows<{ id: number; name: string }>(fresh, 'SELECT id, name FROM models').map((r) => [r.id, r.name]));
  for (const m of Array.isArray(marker.models) ? marker.models : []) if (models.has(m?.id)) report.needSecrets.push(models.get(m.id)!);
}

/** The checks before any row is read: intact, ours, not newer, not empty. */
function refusal(file: DB): { message: string; version?: number } | null {
  const problems = file.selectValues('PRAGMA integrity_check(5)').map((p) => String(p).replace(/^\*\*\* in database \w+ \*\*\*\s*/, '').trim());
  if (problems.length !== 1 || problems[0] !== 'ok') return { message: `This file is truncated or damaged: integrity check says ${problems.join('; ')}` };
  const version = schemaVersion(file);
  const foreign = foreignReason(file);
  if (foreign) return { message: `This file ${foreign}: it is not a Llama Dashboard database`, version };
  if (version > SCHEMA_VERSION) {
    return { message: `This file was made by a newer Llama Dashboard (schema ${version}, this one knows ${SCHEMA_VERSION}): update the app, then import it again`, version };
  }
  if (version === 0) return { message: 'This SQLite file is empty: it holds no Llama Dashboard data', version };
  return null;
}

/** The sentences that tell the user what did not come in. */
export function reportText(r: ImportReport): string {
  const parts: string[] = [];
  if (r.leftOut.length) parts.push(`Left out, because they are not part of Llama Dashboard's database (none of it was run): ${r.leftOut.join(', ')}.`);
  if (r.skipped.length) parts.push(`Not imported: ${r.skipped.join('; ')}.`);
  const metric = Object.entries(r.metricSkips);
  if (metric.length) parts.push(`Skipped ${metric.reduce((a, [, n]) => a + n, 0)} invalid history rows (${metric.map(([t, n]) => `${t} ${n}`).join(', ')}).`);
  if (r.needKeys.length) parts.push(`These endpoints need their API key again (it was not exported): ${r.needKeys.join(', ')}.`);
  if (r.needSecrets.length) parts.push(`These model configurations need their secret arguments again (not exported): ${r.needSecrets.join(', ')}.`);
  return parts.join(' ');
}

/**
 * Decides whether `bytes` may replace the database and builds what replaces it, without touching the
 * live one. Every refusal says why in words a user can act on; an accepted file's message says what
 * was left out.
 */
export function readImport(sqlite3: Sqlite3, bytes: Uint8Array): ImageCheck {
  const header = headerProblem(bytes);
  if (header) return { ok: false, message: header };
  let file: DB | null = null;
  let fresh: DB | null = null;
  try {
    file = openImage(sqlite3, bytes);
    const refused = refusal(file);
    if (refused) return { ok: false, ...refused };
    const version = schemaVersion(file);
    file.close();
    file = null;
    fresh = newCopy(sqlite3);
    migrate(fresh, version);
    attachImage(sqlite3, fresh, SRC, bytes);
    const report: ImportReport = { leftOut: [], skipped: [], metricSkips: {}, needKeys: [], needSecrets: [] };
    const missing = copyRows(fresh, report);
    fresh.exec(`DETACH ${SRC}`);
    if (missing) return { ok: false, message: `This file is damaged: it lacks the tables ${missing.join(', ')}`, version };
    migrate(fresh);
    const checked = validateRows(fresh);
    report.skipped.push(...checked.skipped);
    for (const [t, n] of Object.entries(checked.metricSkips)) report.metricSkips[t] = (report.metricSkips[t] ?? 0) + n;
    readSecretsMarker(fresh, report);
    const image = asRollbackImage(sqlite3.capi.sqlite3_js_db_export(fresh));
    const head = version === SCHEMA_VERSION
      ? 'The file is a valid Llama Dashboard database'
      : `The file came from an older Llama Dashboard (schema ${version}) and was upgraded to schema ${SCHEMA_VERSION}`;
    const more = reportText(report);
    return { ok: true, message: more ? `${head}. ${more}` : head, version, image, report };
  } catch (e) {
    return { ok: false, message: `This file is truncated or damaged: SQLite says ${errorText(e)}` };
  } finally {
    file?.close();
    fresh?.close();
  }
}
