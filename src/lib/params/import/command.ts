import { argvToConfig, parseValue } from '../argv';
import { findArg } from '../catalogue';
import type { ArgSpec, ArgValue, Catalogue, ConfigArgs } from '../types';
import type { ShellWord } from './posix-words';

/** What an import understood; nothing it read is dropped without a line in `warnings`. */
export interface ImportResult {
  args: ConfigArgs;
  /** Arguments the catalogue does not know, verbatim, in order. */
  extraArgs: string[];
  /** Environment assignments that are not llama-server arguments (kept for the user). */
  env: Record<string, string>;
  warnings: string[];
  /** Program as written (`./llama-server`, `C:\llama\llama-server.exe`), when the input names one. */
  program: string | null;
  /** Secret arguments given as an environment reference: canonical key → variable name. */
  secretRefs: Record<string, string>;
  /** Section or model name, when the input has one (INI, llama-swap). */
  name?: string;
}

const PROGRAM = /(^|[\\/])llama-server(\.exe)?$/i;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const TRUTHY = /^(1|true|on|enabled|yes)$/i;
const FALSEY = /^(0|false|off|disabled|no)$/i;

/** Value of an argument given through its environment variable, the way llama-server reads it. */
export function envValue(spec: ArgSpec, negated: boolean, text: string): ArgValue | undefined {
  if (spec.type === 'flag') return TRUTHY.test(text) ? true : FALSEY.test(text) ? false : undefined;
  if (spec.type === 'bool') {
    if (negated) return false;
    return TRUTHY.test(text) ? true : FALSEY.test(text) ? false : undefined;
  }
  return parseValue(spec, text);
}

/**
 * Folds `NAME=value` pairs into arguments where NAME is one of llama-server's variables (the command
 * line wins over the environment, as in llama-server); other names are returned as plain env.
 */
export function foldEnv(
  pairs: [string, string][],
  cat: Catalogue,
  into: ImportResult,
  source: string,
): void {
  for (const [name, text] of pairs) {
    const m = findArg(cat, name);
    if (!m || m.spec.env === null || (name !== m.spec.env && name !== m.spec.envNegated)) {
      into.env[name] = text;
      continue;
    }
    const value = envValue(m.spec, m.negated, text);
    if (value === undefined) {
      into.env[name] = text;
      into.warnings.push(`${name}=${text}: not a value llama-server accepts for ${m.spec.key}; kept as env`);
    } else if (m.spec.key in into.args) {
      into.warnings.push(`${name} from ${source} is overridden by ${m.spec.key} on the command line`);
    } else {
      into.args[m.spec.key] = value;
    }
  }
}

/**
 * Turns split shell commands into an import: picks the llama-server command, reads assignments in
 * front of it as env, and its words as arguments. Shared by the POSIX and PowerShell readers.
 */
export function fromCommands(commands: ShellWord[][], cat: Catalogue, warnings: string[]): ImportResult {
  const result: ImportResult = { args: {}, extraArgs: [], env: {}, warnings, program: null, secretRefs: {} };
  if (commands.length === 0) {
    warnings.push('no command found');
    return result;
  }
  let which = commands.findIndex((c) => c.some((w) => PROGRAM.test(w.text)));
  if (which < 0) {
    which = 0;
    warnings.push('no llama-server program found; reading the first command as one');
  }
  commands.forEach((c, i) => {
    if (i !== which) warnings.push(`ignored the separate command "${c.map((w) => w.text).join(' ')}"`);
  });
  const words = commands[which];
  let at = words.findIndex((w) => PROGRAM.test(w.text));
  if (at < 0) at = words.findIndex((w) => !ASSIGNMENT.test(w.text));
  const pairs: [string, string][] = [];
  for (const w of words.slice(0, Math.max(at, 0))) {
    const m = ASSIGNMENT.exec(w.text);
    if (m) pairs.push([m[1], w.text.slice(m[0].length)]);
    else warnings.push(`ignored "${w.text}" in front of the program`);
  }
  result.program = at >= 0 ? words[at].text : null;
  const rest = at >= 0 ? words.slice(at + 1) : [];
  const argv: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const m = rest[i].text.startsWith('-') ? findArg(cat, rest[i].text) : null;
    const value = rest[i + 1];
    if (m?.spec.secret && value?.ref) {
      result.secretRefs[m.spec.key] = value.ref;
      warnings.push(`${m.spec.key} comes from the environment variable ${value.ref}; its value is not part of the import`);
      i++;
      continue;
    }
    for (const e of rest[i].expansions) {
      warnings.push(`"${rest[i].text}" contains ${e}, which is kept as written (not expanded)`);
    }
    argv.push(rest[i].text);
  }
  const parsed = argvToConfig(argv, cat);
  result.args = parsed.args;
  result.extraArgs = parsed.extraArgs;
  // A loop, not push(...list): a paste of a million words would overflow the call stack.
  for (const w of parsed.warnings) warnings.push(w);
  foldEnv(pairs, cat, result, 'the environment assignment');
  return result;
}
