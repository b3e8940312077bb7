/** Shapes of the llama-server parameter catalogue and of the configurations built on it. */

/**
 * How an argument takes its value:
 * - flag: presence only (`--metrics`); stored as `true`.
 * - bool: flag with a negated spelling (`--mmap` / `--no-mmap`); stored as `true` / `false`.
 * - int, float, string: one value.
 * - enum: one value out of `values`.
 * - string_pair: two values (`--control-vector-layer-range 3 7`); stored as one string "3 7".
 */
export type ArgType = 'flag' | 'bool' | 'int' | 'float' | 'string' | 'enum' | 'string_pair';

/** Section of `llama-server --help` the argument is listed in; `preset` = router preset INI only. */
export type ArgGroup = 'common' | 'sampling' | 'speculative' | 'server' | 'preset';

export interface ArgSpec {
  /** Canonical key: the first long flag (`--ctx-size`); preset-only keys are bare (`stop-timeout`). */
  key: string;
  /** Every positive spelling, short and long, in help order. */
  flags: string[];
  /** Spellings that set a bool to false (`--no-mmap`, `-nkvo`). */
  negated: string[];
  type: ArgType;
  /** Placeholder shown in help (`N`, `FNAME`, `[on|off|auto]`); null for flags. */
  valueHint: string | null;
  /** Allowed values (enum; also ints restricted to a set such as `--mirostat`). */
  values?: string[];
  /** Words an int also accepts (`auto`, `all` for `--gpu-layers`). */
  specialValues?: string[];
  /** The value is a list joined by this separator. */
  listSeparator?: string;
  /** Environment variable llama-server reads for this argument. */
  env: string | null;
  /** For bools: the `LLAMA_ARG_NO_…` variable that sets false. */
  envNegated?: string;
  /** Default as a typed value, when it is one (not "same as --threads", "loaded from model"...). */
  default: string | number | boolean | null;
  /** Default as the help shows it, for display. */
  defaultText: string | null;
  group: ArgGroup;
  /** Short description, written for this project. */
  description: string;
  min?: number;
  max?: number;
  /** Values that must not be written into commands unless asked (API keys, tokens). */
  secret?: boolean;
  /** Marked deprecated by this build (still works). */
  deprecated?: boolean;
  /** Still listed by this build, but using it is an error ("the argument has been removed"). */
  removed?: boolean;
  /** Only valid as a key in a router preset INI, never on the command line. */
  presetOnly?: boolean;
  /** Selects the model to serve (`-m`, `-hf`, presets such as `--gpt-oss-20b-default`...). */
  modelSource?: boolean;
  /** Reads or writes a path on the host (used to mount it into containers). */
  path?: 'file' | 'dir';
}

/** A catalogue is plain data (structured-clone safe), so it can be stored per llama-server build. */
export interface Catalogue {
  /** Build label, e.g. "b10573"; null when unknown. */
  build: string | null;
  source: 'builtin' | 'help';
  args: ArgSpec[];
}

/** A stored argument value; see ArgType for the meaning per type. null = given without a value. */
export type ArgValue = string | number | boolean | null;

/** Arguments keyed by canonical key. */
export type ConfigArgs = Record<string, ArgValue>;

/** The part of a model configuration that the launch-command code needs. */
export interface LaunchConfig {
  /** Used for section, service and container names. */
  name?: string;
  args: ConfigArgs;
  /** Arguments the catalogue does not know, verbatim, in order. */
  extraArgs: string[];
}

/** A change the UI can apply to fix an issue. */
export interface IssueFix {
  label: string;
  set?: ConfigArgs;
  remove?: string[];
  /** Words to append to the extra arguments. */
  appendExtra?: string[];
}

export interface ConfigIssue {
  /** Canonical key the issue is about ('' for the whole configuration). */
  key: string;
  level: 'error' | 'warning';
  message: string;
  fix?: IssueFix;
}
