/**
 * Migration adding `model_files`: the parsed GGUF header summary of a configuration's model (names,
 * sizes and dates of the files it came from, metadata without the tokenizer, the tensor table), so the
 * "Will it fit?" panel comes back after a reload without picking the file again. A table of its own rather
 * than a column on models: the summary is large (tens of kB for a big model) and listing configurations
 * must not read it.
 * Version 4, after the endpoints' from_link (version 3).
 */
import type { DB } from './sql';

/** The DDL of model_files. */
export const MODEL_FILES_DDL = `
CREATE TABLE model_files(model_id INTEGER PRIMARY KEY, summary TEXT NOT NULL, read_at INTEGER NOT NULL);
`;

/** Adds model_files; existing rows of every other table are untouched. */
export function migrateV3ToV4(db: DB): void {
  db.exec(MODEL_FILES_DDL);
}
