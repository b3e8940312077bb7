import type { SetupExtras, SetupImport, SetupModel, SwapFields } from '../lib/params';
import { ModelDraft } from './model-draft.svelte';
import type { ModelsState } from './models.svelte';

/**
 * Metadata key of what a whole-file llama-swap import holds besides the configurations: groups,
 * global macros, the sections kept aside, and each configuration's own llama-swap fields by id.
 * The metadata table stores JSON by key, so this needs no schema migration; configurations stay
 * plain rows that every other format can use.
 */
export const SETUP_KEY = 'setup.llama-swap';

export interface StoredSetup extends Required<SetupExtras> {
  /** Configuration id → its llama-swap fields (ttl, aliases, proxy, env, filters...). */
  swap: Record<string, SwapFields>;
}

/** What the worker offers for metadata (a subset of DbApi). */
export interface MetaSource {
  getMeta(key: string): Promise<unknown> | unknown;
  setMeta(key: string, value: unknown): Promise<unknown> | unknown;
}

/** What to do with a name that is already taken. */
export type Conflict = 'rename' | 'replace' | 'skip';

/** One model of a file preview, with the user's choices. */
export interface SetupPick {
  model: SetupModel;
  include: boolean;
  name: string;
  conflict: Conflict;
}

/** The stored llama-swap setup, or an empty one. */
export async function readStoredSetup(meta: MetaSource): Promise<StoredSetup> {
  const v = (await meta.getMeta(SETUP_KEY)) as Partial<StoredSetup> | null;
  return { groups: v?.groups ?? [], macros: v?.macros ?? {}, keptAside: v?.keptAside ?? {}, swap: v?.swap ?? {} };
}

/**
 * Saves the picked models as configurations (new, or replacing the one of the same name) and, for a
 * llama-swap file, its groups, macros and kept-aside sections. Returns the ids saved; a failure is
 * left in `models.error` and stops the import where it was.
 */
export async function importSetupModels(setup: SetupImport, picks: SetupPick[], models: ModelsState, meta: MetaSource): Promise<number[]> {
  const saved: number[] = [];
  const stored = await readStoredSetup(meta);
  // Picks come from a form's $state: proxies the worker's structured clone refuses.
  for (const p of $state.snapshot(picks)) {
    if (!p.include) continue;
    const existing = models.list.find((m) => m.name.toLowerCase() === p.name.trim().toLowerCase());
    if (existing && p.conflict === 'skip') continue;
    const name = existing && p.conflict === 'rename' ? models.freeName(p.name.trim()) : p.name.trim();
    // A secret given by reference stays an argument with no value, so exports refer to its variable.
    const input = new ModelDraft({
      name, family: '', type: '', notes: '', catalogueId: null, endpointId: null, routerModel: null,
      args: { ...p.model.args, ...Object.fromEntries(Object.keys(p.model.secretRefs).map((k) => [k, ''])) },
      extraArgs: p.model.extraArgs,
    }).toInput();
    const m = await models.save(existing && p.conflict === 'replace' ? existing.id : null, input);
    if (!m) break;
    saved.push(m.id);
    if (p.model.swap) stored.swap[m.id] = p.model.swap;
  }
  if (setup.format === 'llama-swap') {
    await meta.setMeta(SETUP_KEY, $state.snapshot({ ...stored, groups: setup.groups, macros: setup.macros, keptAside: setup.keptAside }));
  }
  return saved;
}

/** importSetupModels on the page's configurations and database. */
export async function importPicked(setup: SetupImport, picks: SetupPick[]): Promise<number[]> {
  const [{ db }, { models }] = await Promise.all([import('./client'), import('./models.svelte')]);
  return importSetupModels(setup, picks, models, db);
}

/** readStoredSetup on the page's database. */
export async function loadStoredSetup(): Promise<StoredSetup> {
  const { db } = await import('./client');
  return readStoredSetup(db);
}

/**
 * Runs the import of picked configurations for a dialog: the stored ids, or the words to show when it
 * stopped part way (a save that failed leaves its message on the configurations store, not a throw).
 */
export async function finishImport(importing: () => Promise<number[]>): Promise<{ ids: number[]; failure: string | null }> {
  const [{ models }, { errorText }] = await Promise.all([import('./models.svelte'), import('../lib/error-text')]);
  let ids: number[];
  try {
    ids = await importing();
  } catch (e) {
    return { ids: [], failure: `The import stopped: ${errorText(e)}` };
  }
  return { ids, failure: models.error ? `${ids.length} imported, then: ${models.error}` : null };
}
