import type { ModelConfig, ModelConfigInput } from '../lib/types';
import {
  getCatalogue, stripDefaults, validateConfig,
  type ArgValue, type Catalogue, type ConfigArgs, type ConfigIssue, type IssueFix, type ImportResult,
} from '../lib/params';

/** The fields of a configuration besides its arguments. */
export interface DraftMeta {
  name: string;
  family: string;
  type: string;
  notes: string;
  catalogueId: number | null;
  endpointId: number | null;
  routerModel: string | null;
}

const EMPTY_META: DraftMeta = {
  name: '', family: '', type: '', notes: '', catalogueId: null, endpointId: null, routerModel: null,
};

/**
 * A configuration being edited: its fields, its arguments keyed by canonical flag, and the issues
 * validateConfig finds against the catalogue of the build it targets (updated on every change).
 */
export class ModelDraft {
  /** Id of the stored configuration, or null for a new one. */
  readonly id: number | null;
  #meta = $state<DraftMeta>({ ...EMPTY_META });
  #args = $state.raw<ConfigArgs>({});
  #extra = $state.raw<string[]>([]);
  #catalogue = $state.raw<Catalogue>(getCatalogue());
  #dirty = $state(false);

  readonly meta = $derived(this.#meta);
  readonly args = $derived(this.#args);
  readonly extraArgs = $derived(this.#extra);
  readonly catalogue = $derived(this.#catalogue);
  /** Changed since it was opened or last saved. */
  readonly dirty = $derived(this.#dirty);
  readonly issues: ConfigIssue[] = $derived(
    validateConfig({ args: this.#args, extraArgs: this.#extra }, this.#catalogue, { from: getCatalogue() }),
  );
  readonly errorCount = $derived(this.issues.filter((i) => i.level === 'error').length);
  /** Issues per configuration key ('' = the whole configuration). */
  readonly issuesByKey = $derived.by(() => {
    const map = new Map<string, ConfigIssue[]>();
    for (const i of this.issues) map.set(i.key, [...(map.get(i.key) ?? []), i]);
    return map;
  });
  /** Keys set in the configuration that the targeted catalogue does not have under that name. */
  readonly foreignKeys = $derived(Object.keys(this.#args).filter((k) => !this.#catalogue.args.some((a) => a.key === k)));

  constructor(from?: ModelConfig | (DraftMeta & { args: ConfigArgs; extraArgs: string[] })) {
    this.id = from && 'id' in from ? from.id : null;
    if (from) {
      const { name, family, type, notes, catalogueId, endpointId, routerModel } = from;
      this.#meta = { name, family, type, notes, catalogueId, endpointId, routerModel };
      this.#args = { ...from.args };
      this.#extra = [...from.extraArgs];
    }
  }

  setMeta(patch: Partial<DraftMeta>) {
    this.#meta = { ...this.#meta, ...patch };
    this.#dirty = true;
  }

  /** Uses another build's catalogue for checks and the form (the built-in one is the reference). */
  setCatalogue(cat: Catalogue) {
    this.#catalogue = cat;
  }

  /** Sets one argument; undefined removes it (back to llama-server's default). */
  set(key: string, value: ArgValue | undefined) {
    const next = { ...this.#args };
    if (value === undefined) delete next[key];
    else next[key] = value;
    this.#args = next;
    this.#dirty = true;
  }

  setExtraArgs(words: string[]) {
    this.#extra = [...words];
    this.#dirty = true;
  }

  /** Applies the change an issue proposes. */
  applyFix(fix: IssueFix) {
    const next = { ...this.#args };
    for (const k of fix.remove ?? []) delete next[k];
    Object.assign(next, fix.set ?? {});
    this.#args = next;
    if (fix.appendExtra) this.#extra = [...this.#extra, ...fix.appendExtra];
    this.#dirty = true;
  }

  /** Replaces the arguments with an import's (a pasted command describes a whole launch). */
  applyImport(r: Pick<ImportResult, 'args' | 'extraArgs'>) {
    this.#args = { ...r.args };
    this.#extra = [...r.extraArgs];
    this.#dirty = true;
  }

  markSaved() {
    this.#dirty = false;
  }

  /**
   * What to store: arguments that differ from the target build's defaults, and status 'draft' while
   * errors remain (it can be saved, but export warns first), else 'stopped' (a link shows it live).
   */
  toInput(): ModelConfigInput {
    return {
      ...this.#meta,
      name: this.#meta.name.trim(),
      args: stripDefaults(this.#args, this.#catalogue),
      extraArgs: this.#extra.filter((w) => w !== ''),
      status: this.errorCount > 0 ? 'draft' : 'stopped',
    };
  }
}
