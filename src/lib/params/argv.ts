import { findArg, getArg, getCatalogue, matchAcross } from './catalogue';
import type { ArgSpec, ArgValue, Catalogue, ConfigArgs, LaunchConfig } from './types';

/** One word of a command: literal text, or a reference to an environment variable (secrets). */
export type Word = { lit: string } | { env: string };

/** One argument as written: its flag and value words, kept together for multi-line layouts. */
export interface ArgvItem {
  words: Word[];
  /** Canonical key, absent for extra (unknown) arguments. */
  key?: string;
  /** Set when the value is a secret; writers that pass env vars instead may drop the item. */
  secretEnv?: string;
}

export interface ArgvOptions {
  /** Catalogue of the build the command is for (default: the built-in one). */
  catalogue?: Catalogue;
  /** Catalogue the configuration's keys come from, when it is another build's (default: built-in). */
  from?: Catalogue;
  /** Write secret values into the command instead of an environment reference. */
  inlineSecrets?: boolean;
}

export interface ArgvResult {
  items: ArgvItem[];
  /** Arguments that cannot be written (unknown key, missing value); listed, never dropped silently. */
  errors: string[];
  /** Arguments left out on purpose (router-preset-only keys). */
  skipped: string[];
}

/** The long spelling used for a negated bool (`--no-mmap` rather than `-nr`). */
export function negatedSpelling(spec: ArgSpec): string {
  return spec.negated.find((f) => f.startsWith('--')) ?? spec.negated[0];
}

function takesValue(spec: ArgSpec): boolean {
  return spec.type !== 'flag' && spec.type !== 'bool';
}

/** Text of a value as llama-server receives it. */
export function valueText(value: ArgValue): string {
  return typeof value === 'number' ? String(value) : String(value ?? '');
}

/**
 * The argv of a configuration (without the program name), one item per argument, in the order of
 * `config.args`, then the extra arguments verbatim. Secrets become env references unless inlined.
 */
export function configToArgv(config: LaunchConfig, opts: ArgvOptions = {}): ArgvResult {
  const cat = opts.catalogue ?? getCatalogue();
  const items: ArgvItem[] = [];
  const errors: string[] = [];
  const skipped: string[] = [];
  for (const [key, raw] of Object.entries(config.args)) {
    const direct = getArg(cat, key);
    const m = direct ? { spec: direct, negated: false } : matchAcross(cat, key, opts.from ?? getCatalogue());
    const spec = m?.spec;
    const value = m?.negated && typeof raw === 'boolean' ? !raw : raw;
    if (!spec) {
      errors.push(`${key}: not in the catalogue of build ${cat.build ?? '?'}; move it to extra arguments`);
      continue;
    }
    if (spec.presetOnly) {
      skipped.push(`${key} only applies in a router preset; not written here`);
      continue;
    }
    const item = argItem(spec, value, opts);
    if (typeof item === 'string') errors.push(item);
    else if (item) items.push(item);
  }
  for (const item of extraItems(config.extraArgs)) items.push(item);
  return { items, errors, skipped };
}

function argItem(spec: ArgSpec, value: ArgValue, opts: ArgvOptions): ArgvItem | string | null {
  const key = spec.key;
  if (!takesValue(spec)) {
    if (value === false) {
      return spec.type === 'bool' ? { key, words: [{ lit: negatedSpelling(spec) }] } : null;
    }
    return { key, words: [{ lit: key }] };
  }
  if (value === null || value === undefined || typeof value === 'boolean') {
    return `${key}: needs a value (${spec.valueHint ?? spec.type})`;
  }
  const text = valueText(value);
  if (spec.secret && !opts.inlineSecrets && spec.env) {
    return { key, secretEnv: spec.env, words: [{ lit: key }, { env: spec.env }] };
  }
  if (spec.type === 'string_pair') {
    const parts = text.trim().split(/\s+/);
    if (parts.length !== 2) return `${key}: needs two values separated by a space`;
    return { key, words: [{ lit: key }, { lit: parts[0] }, { lit: parts[1] }] };
  }
  return { key, words: [{ lit: key }, { lit: text }] };
}

/** Extra arguments grouped as "flag value..." so multi-line output keeps a flag with its value. */
function extraItems(extra: string[]): ArgvItem[] {
  const items: ArgvItem[] = [];
  for (const word of extra) {
    const last = items[items.length - 1];
    if (last && !word.startsWith('-') && last.words.length === 1) last.words.push({ lit: word });
    else items.push({ words: [{ lit: word }] });
  }
  return items;
}

/** Flattens items to plain strings, rendering env references with `env`. */
export function flattenArgv(items: ArgvItem[], env: (name: string) => string = (n) => '$' + n): string[] {
  return items.flatMap((i) => i.words.map((w) => ('lit' in w ? w.lit : env(w.env))));
}

export interface ArgvParse {
  args: ConfigArgs;
  extraArgs: string[];
  warnings: string[];
}

/** Older spellings that still work but that llama-server's help now lists under a new name. */
const RENAMED: Record<string, string> = {
  '--webui': '--ui', '--no-webui': '--no-ui', '--webui-config': '--ui-config', '--webui-config-file': '--ui-config-file',
  '--webui-mcp-proxy': '--ui-mcp-proxy', '--no-webui-mcp-proxy': '--no-ui-mcp-proxy',
};

const INT = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Typed value of one argv word for `spec` (numbers stay text when they would not round-trip). */
export function parseValue(spec: ArgSpec, text: string): ArgValue {
  if (spec.type === 'int' && INT.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) && String(n) === text.replace(/^\+/, '') ? n : text;
  }
  if (spec.type === 'float' && FLOAT.test(text)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  return text;
}

/**
 * Reads llama-server's argv (without the program name) into canonical keys. Unknown flags and
 * stray words are kept in `extraArgs`; every such decision is listed in `warnings`.
 */
export function argvToConfig(argv: string[], cat: Catalogue = getCatalogue()): ArgvParse {
  const args: ConfigArgs = {};
  const extraArgs: string[] = [];
  const warnings: string[] = [];
  const set = (spec: ArgSpec, value: ArgValue, spelling: string) => {
    if (spec.key in args) warnings.push(`${spelling} is given more than once; the last value wins`);
    args[spec.key] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    let match = word.startsWith('-') ? findArg(cat, word) : null;
    let inline: string | null = null;
    if (!match && word.startsWith('--') && word.includes('=')) {
      const eq = word.indexOf('=');
      match = findArg(cat, word.slice(0, eq));
      if (match && takesValue(match.spec)) {
        inline = word.slice(eq + 1);
        warnings.push(`${word}: llama-server expects "${word.slice(0, eq)} VALUE" as two words; read it that way`);
      } else match = null;
    }
    if (!match || match.spec.presetOnly) {
      extraArgs.push(word);
      const next = argv[i + 1];
      if (word.startsWith('-') && next !== undefined && !next.startsWith('-')) {
        extraArgs.push(next);
        i++;
        warnings.push(`${word} ${next}: unknown to build ${cat.build ?? '?'}, kept as extra arguments`);
      } else {
        warnings.push(`${word}: unknown to build ${cat.build ?? '?'}, kept as an extra argument`);
      }
      continue;
    }
    const { spec, negated } = match;
    if (RENAMED[word] && findArg(cat, RENAMED[word])) warnings.push(`${word} is the older name of ${RENAMED[word]}; it is written ${RENAMED[word]} from now on`);
    if (!takesValue(spec)) {
      set(spec, spec.type === 'bool' ? !negated : true, word);
      continue;
    }
    if (inline !== null) {
      set(spec, parseValue(spec, inline), word);
      continue;
    }
    const next = argv[i + 1];
    // llama-server takes the next word whatever it is; only where that word cannot be a value of
    // this argument (an old-style `-fa` followed by another flag) is the value reported missing.
    const strict = spec.type !== 'string' && spec.type !== 'string_pair';
    const isFlag = next !== undefined && !FLOAT.test(next) && findArg(cat, next) !== null && next.startsWith('-');
    const missing = next === undefined || (strict && isFlag && !(spec.values ?? []).includes(next));
    if (missing) {
      warnings.push(`${word} has no value here; it needs ${spec.valueHint ?? 'a value'}`);
      set(spec, null, word);
      continue;
    }
    i++;
    if (spec.type === 'string_pair') {
      const second = argv[i + 1];
      if (second === undefined) {
        warnings.push(`${word} needs two values`);
        set(spec, next, word);
      } else {
        set(spec, `${next} ${second}`, word);
        i++;
      }
      continue;
    }
    set(spec, parseValue(spec, next), word);
  }
  return { args, extraArgs, warnings };
}
