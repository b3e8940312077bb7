import type { ModelConfig } from '../lib/types';
import { configsToJson, getCatalogue, type SharedConfig, type SharedConfigs } from '../lib/params';
import { ModelDraft } from './model-draft.svelte';
import type { ModelsState } from './models.svelte';
import type { Conflict } from './setups.svelte';

/** One configuration of a JSON file before import, with the user's choices. */
export interface JsonPick {
  config: SharedConfig;
  include: boolean;
  name: string;
  conflict: Conflict;
}

/** The configurations store as far as sharing needs it. */
type Store = Pick<ModelsState, 'list' | 'catalogues' | 'loadCatalogue' | 'buildLabel' | 'freeName' | 'save'>;

/**
 * The JSON file for `list`, naming the build they target. A file names one build: configurations made
 * for different ones are written against the built-in catalogue, and `note` says so.
 */
export async function configsJson(list: ModelConfig[], models: Store, includeSecrets: boolean): Promise<{ text: string; left: string[]; note: string | null }> {
  const ids = [...new Set(list.map((m) => m.catalogueId))];
  const stored = ids.length === 1 && ids[0] !== null ? await models.loadCatalogue(ids[0]) : null;
  const cat = stored ?? getCatalogue();
  let note: string | null = null;
  if (ids.length > 1) note = `These configurations target different builds (${ids.map((id) => models.buildLabel(id)).join(', ')}); the file names the built-in one, ${cat.build}.`;
  else if (ids[0] !== null && ids[0] !== undefined && !stored) note = `The build ${models.buildLabel(ids[0])} could not be read; the file names the built-in one, ${cat.build}.`;
  return { ...configsToJson(list, cat, includeSecrets), note };
}

/** The stored build a file was made for: its id, null for the built-in one, undefined when not stored here. */
export function buildFor(file: SharedConfigs, models: Pick<Store, 'catalogues'>): number | null | undefined {
  if (file.build === null || file.build === getCatalogue().build) return null;
  return models.catalogues.find((c) => c.build === file.build)?.id;
}

/**
 * Saves the picked configurations: new, replacing the one of the same name, or skipped, as chosen.
 * They target the file's build when it is stored here, else the built-in one. Returns the ids saved;
 * a failure is left in `models.error` and stops the import where it was.
 */
export async function importConfigsJson(file: SharedConfigs, picks: JsonPick[], models: Store): Promise<number[]> {
  const saved: number[] = [];
  const catalogueId = buildFor(file, models) ?? null;
  for (const p of picks) {
    if (!p.include) continue;
    const wanted = p.name.trim();
    const existing = models.list.find((m) => m.name.toLowerCase() === wanted.toLowerCase());
    if (existing && p.conflict === 'skip') continue;
    const name = existing && p.conflict === 'rename' ? models.freeName(wanted) : wanted;
    const draft = new ModelDraft({
      name, family: p.config.family, type: p.config.type, notes: p.config.notes,
      catalogueId, endpointId: null, routerModel: null, args: p.config.args, extraArgs: p.config.extraArgs,
    });
    const stored = catalogueId === null ? null : await models.loadCatalogue(catalogueId);
    if (stored) draft.setCatalogue(stored);
    const m = await models.save(existing && p.conflict === 'replace' ? existing.id : null, draft.toInput());
    if (!m) break;
    saved.push(m.id);
  }
  return saved;
}
