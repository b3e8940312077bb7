/**
 * Model configurations and stored parameter catalogues of other llama-server builds.
 * Arguments are one JSON object keyed by canonical flag, not a column each: a llama-server release
 * that adds or renames a flag needs no migration.
 */
import type { ModelConfig, ModelConfigInput, ModelFilter, ModelStatus } from '../lib/types';
import { inTx, rows, type DB } from './sql';

/** A stored catalogue without its (large) help text and parsed catalogue. */
export interface CatalogueSummary { id: number; build: string; createdAt: number }

/** A stored catalogue: the help text it was read from and the parsed catalogue (lib/'s shape). */
export interface StoredCatalogue extends CatalogueSummary { helpText: string; catalogue: unknown }

const STATUSES: readonly ModelStatus[] = ['running', 'loading', 'stopped', 'error', 'draft'];

/**
 * A model row as the ModelConfig JSON, built in SQL: one JSON.parse for a whole list instead of
 * ~13 column reads per row through sqlite-wasm's row API (listing 100 is the seed plan's 5 ms budget).
 */
const MODEL_JSON = `json_object('id', id, 'name', name, 'family', family, 'type', type, 'status', status,
  'notes', notes, 'args', json(args), 'extraArgs', json(extra_args), 'catalogueId', catalogue_id,
  'endpointId', endpoint_id, 'routerModel', router_model, 'createdAt', created_at, 'updatedAt', updated_at)`;

function selectModels(db: DB, where: string, bind: (string | number)[]): ModelConfig[] {
  const json = db.selectValue(`SELECT json_group_array(${MODEL_JSON}) FROM (SELECT * FROM models ${where} ORDER BY name, id)`, bind.length ? bind : undefined);
  return JSON.parse(String(json)) as ModelConfig[];
}

function checked(input: ModelConfigInput): ModelConfigInput {
  const name = input.name.trim();
  if (!name) throw new Error('A model configuration needs a name');
  if (!STATUSES.includes(input.status)) throw new Error(`Unknown status "${input.status}" (one of ${STATUSES.join(', ')})`);
  if (input.args === null || typeof input.args !== 'object' || Array.isArray(input.args)) throw new Error('Model arguments must be an object keyed by flag');
  if (!Array.isArray(input.extraArgs) || input.extraArgs.some((a) => typeof a !== 'string')) throw new Error('Extra arguments must be a list of strings');
  return { ...input, name };
}

function assertNameFree(db: DB, name: string, exceptId: number | null): void {
  const other = db.selectValue('SELECT id FROM models WHERE name = ? AND id IS NOT ?', [name, exceptId]);
  if (other !== undefined) throw new Error(`A model configuration named "${name}" already exists: choose another name`);
}

function bindOf(m: ModelConfigInput): (string | number | null)[] {
  return [m.name, m.family, m.type, m.status, m.notes, JSON.stringify(m.args), JSON.stringify(m.extraArgs),
    m.catalogueId, m.endpointId, m.routerModel];
}

/** Creates a configuration; throws when the name is taken (names compare case-insensitively). */
export function createModel(db: DB, input: ModelConfigInput): ModelConfig {
  const m = checked(input);
  return inTx(db, () => {
    assertNameFree(db, m.name, null);
    const now = Date.now();
    const id = db.selectValue(
      `INSERT INTO models(name, family, type, status, notes, args, extra_args, catalogue_id, endpoint_id, router_model, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [...bindOf(m), now, now],
    ) as number;
    return getModel(db, id)!;
  });
}

/** Configurations sorted by name, optionally filtered by status, type and a case-insensitive name substring. */
export function listModels(db: DB, filter: ModelFilter = {}): ModelConfig[] {
  const where: string[] = [];
  const bind: (string | number)[] = [];
  if (filter.status) { where.push('status = ?'); bind.push(filter.status); }
  if (filter.type) { where.push('type = ?'); bind.push(filter.type); }
  if (filter.name) { where.push("name LIKE ? ESCAPE '\\'"); bind.push(`%${filter.name.replace(/[\\%_]/g, '\\$&')}%`); }
  return selectModels(db, where.length ? `WHERE ${where.join(' AND ')}` : '', bind);
}

/** One configuration, or null. */
export function getModel(db: DB, id: number): ModelConfig | null {
  return selectModels(db, 'WHERE id = ?', [id])[0] ?? null;
}

/** The configuration with this name (case-insensitive), or null. */
export function getModelByName(db: DB, name: string): ModelConfig | null {
  return selectModels(db, 'WHERE name = ?', [name.trim()])[0] ?? null;
}

/** Changes some fields; throws when it does not exist or the new name is taken. */
export function updateModel(db: DB, id: number, patch: Partial<ModelConfigInput>): ModelConfig {
  return inTx(db, () => {
    const cur = getModel(db, id);
    if (!cur) throw new Error(`Model configuration ${id} does not exist (it may have been deleted)`);
    const m = checked({ ...cur, ...patch });
    assertNameFree(db, m.name, id);
    db.exec({
      sql: `UPDATE models SET name = ?, family = ?, type = ?, status = ?, notes = ?, args = ?, extra_args = ?,
            catalogue_id = ?, endpoint_id = ?, router_model = ?, updated_at = ? WHERE id = ?`,
      bind: [...bindOf(m), Math.max(Date.now(), cur.updatedAt), id],
    });
    return getModel(db, id)!;
  });
}

/** Deletes one configuration (no error if already gone). */
export function deleteModel(db: DB, id: number): void {
  inTx(db, () => {
    db.exec({ sql: 'DELETE FROM model_files WHERE model_id = ?', bind: [id] });
    db.exec({ sql: 'DELETE FROM models WHERE id = ?', bind: [id] });
  });
}

/** Deletes every configuration; returns how many there were. */
export function deleteAllModels(db: DB): number {
  return inTx(db, () => {
    db.exec('DELETE FROM model_files');
    db.exec('DELETE FROM models');
    return db.changes();
  });
}

/** Stores a parameter catalogue read from another llama-server build's `--help`. */
export function saveCatalogue(db: DB, c: { build: string; helpText: string; catalogue: unknown }): { id: number } {
  const build = c.build.trim();
  if (!build) throw new Error('A catalogue needs the build it came from (for example b10573)');
  const id = db.selectValue(
    'INSERT INTO catalogues(build, help_text, catalogue, created_at) VALUES (?, ?, ?, ?) RETURNING id',
    [build, c.helpText, JSON.stringify(c.catalogue), Date.now()],
  ) as number;
  return { id };
}

/** Stored catalogues, newest first, without their text. */
export function listCatalogues(db: DB): CatalogueSummary[] {
  return rows<{ id: number; build: string; created_at: number }>(db, 'SELECT id, build, created_at FROM catalogues ORDER BY created_at DESC, id DESC')
    .map((r) => ({ id: r.id, build: r.build, createdAt: r.created_at }));
}

/** One stored catalogue with its text, or null. */
export function getCatalogue(db: DB, id: number): StoredCatalogue | null {
  const r = rows<{ id: number; build: string; help_text: string; catalogue: string; created_at: number }>(
    db, 'SELECT * FROM catalogues WHERE id = ?', [id])[0];
  return r ? { id: r.id, build: r.build, helpText: r.help_text, catalogue: JSON.parse(r.catalogue), createdAt: r.created_at } : null;
}

/** Deletes a catalogue; configurations that targeted it fall back to the built-in catalogue. */
export function deleteCatalogue(db: DB, id: number): void {
  inTx(db, () => {
    db.exec({ sql: 'UPDATE models SET catalogue_id = NULL WHERE catalogue_id = ?', bind: [id] });
    db.exec({ sql: 'DELETE FROM catalogues WHERE id = ?', bind: [id] });
  });
}
