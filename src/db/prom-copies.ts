/**
 * Local copies of Prometheus data (schema-prom-copies.ts): store one, list them, read one back as
 * charts, delete one, and check the rows of an imported file.
 */
import { copyCharts, packColumn, type InstanceChart, type PromCopyInfo, type PromCopyInput } from '../lib/prom-copy';
import { inTx, rows, type DB } from './sql';

const KINDS = new Set(['llama', 'exporter', 'node', 'dcgm']);
/** An imported copy with more points per line than this is refused (the app keeps at most 4000). */
const MAX_POINTS = 100_000;

interface CopyRow {
  id: number;
  endpoint_id: number | null;
  source: string;
  kind: string;
  job: string;
  instance: string;
  model: string;
  start_ts: number;
  step_ms: number;
  points: number;
  samples: number;
  created_at: number;
  series: number;
}

const SELECT = `SELECT c.*, (SELECT count(*) FROM prom_copy_series s WHERE s.copy_id = c.id) AS series FROM prom_copies c`;

function info(r: CopyRow): PromCopyInfo {
  return {
    id: r.id, endpointId: r.endpoint_id, source: r.source, kind: r.kind as PromCopyInfo['kind'], job: r.job, instance: r.instance,
    model: r.model || null, from: r.start_ts, to: r.start_ts + (r.points - 1) * r.step_ms, stepMs: r.step_ms, points: r.points,
    samples: r.samples, series: r.series, createdAt: r.created_at,
  };
}

/** Stores a copy with its lines in one transaction; returns what the list shows of it. */
export function saveCopy(db: DB, c: PromCopyInput, now: number): PromCopyInfo {
  if (c.lines.some((l) => l.values.length !== c.points)) throw new Error('A line of the copy does not match its time grid');
  const samples = c.lines.reduce((n, l) => n + l.values.reduce((k, v) => k + (Number.isNaN(v) ? 0 : 1), 0), 0);
  return inTx(db, () => {
    db.exec({
      sql: `INSERT INTO prom_copies(endpoint_id, source, kind, job, instance, model, start_ts, step_ms, points, samples, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      bind: [c.endpointId, c.source, c.kind, c.job, c.instance, c.model ?? '', c.startMs, c.stepMs, c.points, samples, now],
    });
    const id = Number(db.selectValue('SELECT last_insert_rowid()'));
    const ins = db.prepare('INSERT INTO prom_copy_series(copy_id, chart, chart_label, key, label, vals) VALUES (?, ?, ?, ?, ?, ?)');
    try {
      for (const l of c.lines) ins.bind([id, l.chart, l.chartLabel, l.key, l.label, packColumn(l.values)]).stepReset();
    } finally {
      ins.finalize();
    }
    return info(rows<CopyRow>(db, `${SELECT} WHERE c.id = ?`, [id])[0]);
  });
}

/** Every copy, newest first. */
export function listCopies(db: DB): PromCopyInfo[] {
  return rows<CopyRow>(db, `${SELECT} ORDER BY c.created_at DESC, c.id DESC`).map(info);
}

/** One copy with its charts, or null when it is gone. */
export function getCopy(db: DB, id: number): { info: PromCopyInfo; charts: InstanceChart[] } | null {
  const r = rows<CopyRow>(db, `${SELECT} WHERE c.id = ?`, [id])[0];
  if (!r) return null;
  const lines = rows<{ chart: string; chartLabel: string; key: string; label: string; vals: Uint8Array }>(
    db, 'SELECT chart, chart_label AS chartLabel, key, label, vals FROM prom_copy_series WHERE copy_id = ? ORDER BY id', [id],
  );
  const i = info(r);
  return { info: i, charts: copyCharts(i, lines) };
}

/** Deletes a copy and its lines; false when there was none. */
export function deleteCopy(db: DB, id: number): boolean {
  return inTx(db, () => {
    db.exec({ sql: 'DELETE FROM prom_copy_series WHERE copy_id = ?', bind: [id] });
    db.exec({ sql: 'DELETE FROM prom_copies WHERE id = ?', bind: [id] });
    return db.changes() > 0;
  });
}

type Row = Record<string, unknown>;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isText = (v: unknown): v is string => typeof v === 'string';

/** Why an imported copy row is unusable, or null. */
function copyProblem(r: Row): string | null {
  if (!KINDS.has(String(r.kind))) return `its kind "${String(r.kind)}" is unknown`;
  for (const c of ['source', 'job', 'instance', 'model'] as const) if (!isText(r[c])) return `its ${c} is not text`;
  if (r.endpoint_id !== null && !isInt(r.endpoint_id)) return 'its endpoint is not a number';
  if (!isInt(r.start_ts) || !isInt(r.created_at)) return 'its times are not numbers';
  if (!isInt(r.step_ms) || r.step_ms <= 0) return 'its step is not a positive number of milliseconds';
  if (!isInt(r.points) || r.points <= 0 || r.points > MAX_POINTS) return `its ${String(r.points)} points per line are not between 1 and ${MAX_POINTS}`;
  if (!isInt(r.samples) || r.samples < 0) return 'its sample count is not a number';
  return null;
}

/** A stored line holds finite numbers or NaN (no point): never ±Infinity. */
function finiteOrNaN(vals: Uint8Array): boolean {
  for (const v of new Float64Array(vals.slice().buffer)) if (v === Infinity || v === -Infinity) return false;
  return true;
}

/**
 * Checks the copies of an imported database: a bad copy is removed with its lines and named in
 * `skipped`; a bad line (wrong length, ±Infinity, not text, or of no copy) is removed and counted.
 */
export function checkCopies(db: DB, skipped: string[], counts: Record<string, number>): void {
  const points = new Map<number, number>();
  const badCopies: number[] = [];
  for (const r of rows<Row>(db, 'SELECT * FROM prom_copies ORDER BY id')) {
    const why = copyProblem(r);
    if (why) {
      badCopies.push(r.id as number);
      skipped.push(`local Prometheus copy ${String(r.id)} (${String(r.job)} · ${String(r.instance)}): ${why}`);
    } else points.set(r.id as number, r.points as number);
  }
  const badLines: number[] = [];
  for (const r of rows<Row>(db, 'SELECT id, copy_id, chart, chart_label, key, label, vals FROM prom_copy_series')) {
    if (badCopies.includes(r.copy_id as number)) continue;
    const n = points.get(r.copy_id as number);
    const ok = n !== undefined && ['chart', 'chart_label', 'key', 'label'].every((c) => isText(r[c])) &&
      r.vals instanceof Uint8Array && r.vals.byteLength === n * 8 && finiteOrNaN(r.vals);
    if (!ok) badLines.push(r.id as number);
  }
  const remove = (table: string, col: string, ids: number[]) => {
    if (ids.length) db.exec({ sql: `DELETE FROM ${table} WHERE ${col} IN (SELECT value FROM json_each(?))`, bind: [JSON.stringify(ids)] });
  };
  remove('prom_copy_series', 'copy_id', badCopies);
  remove('prom_copies', 'id', badCopies);
  remove('prom_copy_series', 'id', badLines);
  if (badLines.length) counts.prom_copy_series = badLines.length;
  // What a copy says it holds must be what is left of it, and must not be trusted from the file.
  for (const id of points.keys()) {
    let n = 0;
    for (const v of db.selectValues('SELECT vals FROM prom_copy_series WHERE copy_id = ?', [id])) n += countValues(v as Uint8Array);
    db.exec({ sql: 'UPDATE prom_copies SET samples = ? WHERE id = ?', bind: [n, id] });
  }
}

/** Values (not NaN) in a stored line. */
function countValues(vals: Uint8Array): number {
  let n = 0;
  for (const v of new Float64Array(vals.slice().buffer)) if (!Number.isNaN(v)) n++;
  return n;
}
