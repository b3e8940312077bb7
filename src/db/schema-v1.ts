/**
 * Migration 1 → 2: from the seed plan's layout (a wide metrics_history row, a column per model
 * parameter, text metadata) to packed frames, JSON arguments and JSON metadata.
 */
import { encodeFrame } from '../lib/frame-codec';
import { rows, type DB } from './sql';

/** v1 metrics_history columns and the series keys they become. */
const V1_SERIES: [column: string, key: string][] = [
  ['prompt_tokens_total', 'llamacpp:prompt_tokens_total'],
  ['tokens_predicted_total', 'llamacpp:tokens_predicted_total'],
  ['prompt_tps', 'prompt_tps'],
  ['gen_tps', 'gen_tps'],
  ['requests_processing', 'llamacpp:requests_processing'],
  ['requests_deferred', 'llamacpp:requests_deferred'],
  ['kv_cache_usage', 'kv_cache_usage'],
  ['gpu_util', 'gpu_util{gpu="0"}'],
  ['gpu_mem_used', 'gpu_mem_used{gpu="0"}'],
  ['cpu_util', 'cpu_util'],
  ['mem_used', 'mem_used'],
];

/** v1 model_configs columns and the canonical llama-server flags they become. */
const V1_ARGS: [column: string, flag: string][] = [
  ['model_path', '--model'],
  ['ctx_size', '--ctx-size'],
  ['n_gpu_layers', '--n-gpu-layers'],
  ['threads', '--threads'],
  ['batch_size', '--batch-size'],
  ['temperature', '--temp'],
];

const STATUSES = new Set(['running', 'loading', 'stopped', 'error', 'draft']);

type V1Model = Record<string, string | number | null>;

/** Runs inside migrate()'s transaction; `v2Ddl` creates the v2 tables. */
export function migrateV1ToV2(db: DB, v2Ddl: string): void {
  db.exec(`ALTER TABLE endpoints RENAME TO v1_endpoints; ALTER TABLE metadata RENAME TO v1_metadata;`);
  db.exec(v2Ddl);
  db.exec(`INSERT OR IGNORE INTO endpoints(id, kind, name, url, api_key, interval_ms, enabled, created_at)
    SELECT id, CASE kind WHEN 'exporter' THEN 'exporter' ELSE 'llama' END, name, rtrim(trim(url), '/'), api_key,
      interval_ms, enabled, created_at FROM v1_endpoints ORDER BY id`);

  const keys = V1_SERIES.map(([, k]) => k);
  const endpointIds = db.selectValues('SELECT DISTINCT endpoint_id FROM metrics_history WHERE endpoint_id IN (SELECT id FROM endpoints)') as number[];
  const addLayout = db.prepare('INSERT INTO layouts(endpoint_id, keys) VALUES (?, ?) RETURNING id');
  const read = db.prepare(`SELECT ts, ${V1_SERIES.map(([c]) => c).join(', ')} FROM metrics_history WHERE endpoint_id = ? ORDER BY ts`);
  const write = db.prepare('INSERT OR IGNORE INTO frames(endpoint_id, ts, layout_id, vals) VALUES (?, ?, ?, ?)');
  try {
    for (const endpointId of endpointIds) {
      addLayout.bind([endpointId, JSON.stringify(keys)]).step();
      const layoutId = addLayout.get(0) as number;
      addLayout.reset();
      read.bind([endpointId]);
      while (read.step()) {
        const row = read.get({}) as Record<string, number | null>;
        const values: Record<string, number | null> = {};
        for (const [column, key] of V1_SERIES) values[key] = row[column];
        write.bind([endpointId, row.ts as number, layoutId, encodeFrame(keys, values)]).stepReset();
      }
      read.reset(true);
    }
  } finally {
    addLayout.finalize();
    read.finalize();
    write.finalize();
  }

  const insertModel = db.prepare(`INSERT INTO models(id, name, family, type, status, notes, args, extra_args, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, '[]', ?, ?)`);
  try {
    for (const m of rows<V1Model>(db, 'SELECT * FROM model_configs ORDER BY id')) {
      const args: Record<string, string | number> = {};
      for (const [column, flag] of V1_ARGS) if (m[column] !== null) args[flag] = m[column] as string | number;
      if (m.flash_attn !== null) args['--flash-attn'] = m.flash_attn ? 'on' : 'off';
      const status = STATUSES.has(String(m.status)) ? String(m.status) : 'draft';
      const created = (m.created_at as number | null) ?? Date.now();
      insertModel.bind([m.id, m.name, m.family ?? '', m.type ?? '', status, m.notes ?? '', JSON.stringify(args), created, (m.updated_at as number | null) ?? created]).stepReset();
    }
  } finally {
    insertModel.finalize();
  }

  db.exec(`INSERT INTO metadata(key, value) SELECT key, json_quote(value) FROM v1_metadata WHERE value IS NOT NULL;
    DROP TABLE metrics_history; DROP TABLE model_configs; DROP TABLE v1_endpoints; DROP TABLE v1_metadata;`);
}
