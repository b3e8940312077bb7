import type { ImportResult } from '../import/command';

/** llama-swap's settings of one model besides its command (ttl, aliases, proxy, env, filters...), as in the file. */
export type SwapFields = Record<string, unknown>;

/** A llama-swap group: models that may run together, or that swap each other out. */
export interface SetupGroup {
  name: string;
  members: string[];
  swap?: boolean;
  exclusive?: boolean;
  persistent?: boolean;
}

/** One model of a whole-file import: what was understood of its command, and its other settings. */
export interface SetupModel extends ImportResult {
  name: string;
  /** llama-swap only: the entry's fields other than cmd (and env folded into arguments). */
  swap?: SwapFields;
}

/** A whole file read at once: every model, and what belongs to the setup rather than one model. */
export interface SetupImport {
  format: 'llama-swap' | 'preset-ini' | 'compose';
  models: SetupModel[];
  groups: SetupGroup[];
  /** Global llama-swap macros as written (the model commands are already expanded). */
  macros: Record<string, unknown>;
  /**
   * Top-level sections the app does not model (hooks, profiles, peers, apiKeys, the routing matrix,
   * global settings), as parsed. They are shown as kept aside and written back on export.
   */
  keptAside: Record<string, unknown>;
  warnings: string[];
}

/** What a setup export carries besides the configurations (from a previous import, or chosen). */
export interface SetupExtras {
  groups?: SetupGroup[];
  macros?: Record<string, unknown>;
  keptAside?: Record<string, unknown>;
}
