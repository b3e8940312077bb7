/**
 * The GGUF header summary stored with a configuration (lib/gguf-model's GgufSummary as JSON), one per
 * configuration; a file handle cannot be kept, so this is what survives a reload.
 */
import type { GgufSummary } from '../lib/gguf-model';
import { rows, type DB } from './sql';

/** A stored summary and when it was read. */
export interface StoredModelFile { modelId: number; summary: GgufSummary; readAt: number }

/** Stores (or replaces) the summary of a configuration's model; throws when the configuration is gone. */
export function saveModelFile(db: DB, modelId: number, summary: GgufSummary): StoredModelFile {
  if (db.selectValue('SELECT id FROM models WHERE id = ?', [modelId]) === undefined) {
    throw new Error(`Model configuration ${modelId} does not exist (it may have been deleted): save the configuration first`);
  }
  if (!summary || !Array.isArray(summary.files) || !Array.isArray(summary.tensors) || typeof summary.metadata !== 'object') {
    throw new Error('The model summary is not in the expected shape (files, metadata, tensors)');
  }
  const readAt = Date.now();
  db.exec({ sql: 'INSERT OR REPLACE INTO model_files(model_id, summary, read_at) VALUES (?, ?, ?)', bind: [modelId, JSON.stringify(summary), readAt] });
  return { modelId, summary, readAt };
}

/** The stored summary of a configuration's model, or null. */
export function getModelFile(db: DB, modelId: number): StoredModelFile | null {
  const r = rows<{ summary: string; read_at: number }>(db, 'SELECT summary, read_at FROM model_files WHERE model_id = ?', [modelId])[0];
  return r ? { modelId, summary: JSON.parse(r.summary) as GgufSummary, readAt: r.read_at } : null;
}

/** Forgets the stored summary (no error when there is none). */
export function deleteModelFile(db: DB, modelId: number): void {
  db.exec({ sql: 'DELETE FROM model_files WHERE model_id = ?', bind: [modelId] });
}
