import { findArg, getCatalogue } from './catalogue';
import type { ArgGroup, ArgSpec, Catalogue } from './types';

export interface ParseHelpOptions {
  /** Build label to record, e.g. "b9000" (the help text does not say). */
  build?: string | null;
  /**
   * Known catalogue used to refine what the help text leaves open (int vs float behind a bare `N`)
   * and to carry over descriptions, ranges, secrets and paths of arguments it also has.
   * Default: the built-in catalogue; pass null to read the text alone.
   */
  base?: Catalogue | null;
}

const GROUPS: Record<string, ArgGroup> = {
  common: 'common',
  sampling: 'sampling',
  speculative: 'speculative',
  'example-specific': 'server',
  server: 'server',
};

interface RawEntry {
  left: string;
  text: string[];
  group: ArgGroup;
}

/** The column descriptions start at: the most common indentation of continuation lines. */
function descriptionColumn(lines: string[]): number {
  const counts = new Map<number, number>();
  for (const l of lines) {
    const m = /^( +)\S/.exec(l);
    if (m) counts.set(m[1].length, (counts.get(m[1].length) ?? 0) + 1);
  }
  let best = 40;
  let n = 0;
  for (const [col, c] of counts) if (c > n) [best, n] = [col, c];
  return best;
}

function entries(text: string): RawEntry[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const col = descriptionColumn(lines);
  const out: RawEntry[] = [];
  let group: ArgGroup = 'common';
  for (const line of lines) {
    const section = /^-{3,}\s*(.+?)\s+params\s*-{3,}$/.exec(line.trim());
    if (section) {
      group = GROUPS[section[1].toLowerCase()] ?? 'server';
      continue;
    }
    if (/^-/.test(line)) {
      const split = line.length > col && line[col - 1] === ' ' && line[col] !== ' ';
      out.push({ left: (split ? line.slice(0, col) : line).trim(), text: split ? [line.slice(col).trim()] : [], group });
    } else if (/^\s+\S/.test(line) && out.length) {
      out[out.length - 1].text.push(line.trim());
    }
  }
  return out;
}

/** Splits "-c, --ctx-size N" into flags and value hint. */
function splitLeft(left: string): { flags: string[]; hint: string | null } {
  const flags: string[] = [];
  let rest = left;
  for (;;) {
    const m = /^(-{1,2}[A-Za-z0-9][\w.+-]*)(,\s*|\s+|$)/.exec(rest);
    if (!m) break;
    flags.push(m[1]);
    rest = rest.slice(m[0].length);
    if (!m[2].startsWith(',')) break;
  }
  return { flags, hint: rest.trim() || null };
}

/** Flags after the first `--no-…`/`-no-…` (or the short form right before it) negate the others. */
function splitNegated(flags: string[]): [string[], string[]] {
  const isNo = (f: string) => /^--?no-/.test(f);
  let at = flags.findIndex((f, i) => i > 0 && (isNo(f) || (!f.startsWith('--') && isNo(flags[i + 1] ?? ''))));
  if (at > 0 && !flags.slice(0, at).some((f) => !isNo(f))) at = -1;
  return at > 0 ? [flags.slice(0, at), flags.slice(at)] : [flags, []];
}

/** Text after `default:` up to the parenthesis that encloses it, or the env note. */
function defaultText(desc: string): string | null {
  const m = /\bdefault:\s*/.exec(desc);
  if (!m) {
    const bullet = /(?:^|\s)- ([\w.+-]+) \(default\):/.exec(desc);
    return bullet ? `${bullet[1]} (default)` : null;
  }
  let depth = 1;
  let i = m.index + m[0].length;
  const from = i;
  for (; i < desc.length && !desc.startsWith('(env:', i); i++) {
    if (desc[i] === '(') depth++;
    else if (desc[i] === ')' && --depth === 0) break;
  }
  return desc.slice(from, i).trim();
}

/** Typed default from its text: a number, enabled/disabled, or one of the allowed values. */
function typedDefault(spec: ArgSpec): ArgSpec['default'] {
  const text = spec.defaultText?.replace(/^'([^']*)'.*/, '$1');
  if (spec.type === 'flag') return false;
  if (!text) return null;
  const word = text.split(/[\s,;]/)[0];
  if ((spec.type === 'int' || spec.type === 'float') && /^-?\d+(\.\d+)?$/.test(word)) return Number(word);
  if (spec.type === 'bool' && !/\bif\b/.test(text)) {
    if (/^(enabled|true)$/.test(word)) return true;
    if (/^(disabled|false)$/.test(word)) return false;
  }
  if ((spec.type === 'enum' || spec.specialValues) && [...(spec.values ?? []), ...(spec.specialValues ?? [])].includes(word)) return word;
  return null;
}

const NUMERIC_HINT = /^(N|P|SEED|SECONDS|PORT|INDEX|SIMILARITY|N0,N1,.*|MiB0,.*)$/;

function inferType(hint: string | null, negated: string[], desc: string, dflt: string | null): Pick<ArgSpec, 'type' | 'values' | 'min' | 'max' | 'listSeparator'> {
  if (!hint) return { type: negated.length ? 'bool' : 'flag' };
  if (/^[A-Z_]+ [A-Z_]+$/.test(hint)) return { type: 'string_pair' };
  const braces = /^[{[]([^\]}]+)[\]}]$/.exec(hint);
  if (braces) return { type: 'enum', values: braces[1].split(/[,|]/) };
  if (hint === '<0|1>') return { type: 'int', values: ['0', '1'] };
  const range = /^<(-?\d+)\.\.\.(-?\d+)>$/.exec(hint);
  if (range) return { type: 'int', min: Number(range[1]), max: Number(range[2]) };
  if (/^[a-z0-9-]+(,[a-z0-9-]+)+$/.test(hint)) return { type: 'enum', values: hint.split(','), listSeparator: ',' };
  const allowed = /allowed values: ([\w.+-]+(?:, [\w.+-]+)+)/.exec(desc);
  if (allowed) return { type: 'enum', values: allowed[1].split(', ') };
  const bullets = [...desc.matchAll(/(?:^|\s)- ([\w.+-]+)(?: \(default\))?: /g)].map((m) => m[1]);
  if (bullets.length >= 2 && /^(TYPE|MODE|FORMAT)$/.test(hint)) {
    // A default the bullets do not list (reasoning-format's "auto") is a value too.
    const d = dflt && /^[\w.+-]+$/.test(dflt) && !bullets.includes(dflt) ? [dflt] : [];
    return { type: 'enum', values: [...bullets, ...d] };
  }
  const list = /,\.\.\.?>?$/.test(hint) ? { listSeparator: ',' } : {};
  if (NUMERIC_HINT.test(hint)) {
    const float = /^(P|SIMILARITY|N0,.*)$/.test(hint) || /^-?\d+\.\d+/.test(dflt ?? '');
    return { type: float ? 'float' : 'int', ...list };
  }
  return { type: 'string', ...list };
}

/** First sentence of the pasted help for arguments the base catalogue does not describe. */
function firstSentence(desc: string): string {
  const s = desc.replace(/\(env: [^)]*\)/g, '').replace(/\s+/g, ' ').trim();
  const end = s.search(/[.(]/);
  return (end > 0 ? s.slice(0, end) : s).trim().slice(0, 100);
}

/**
 * Parses the output of `llama-server --help` (any build) into a catalogue for that build: flags,
 * negated forms, value types and allowed values, env vars, defaults and groups.
 */
export function parseHelp(text: string, opts: ParseHelpOptions = {}): Catalogue {
  const base = opts.base === undefined ? getCatalogue() : opts.base;
  const args: ArgSpec[] = [];
  for (const e of entries(text)) {
    const { flags: all, hint } = splitLeft(e.left);
    if (all.length === 0) continue;
    const [flags, negated] = splitNegated(all);
    const desc = e.text.join(' ');
    const dflt = defaultText(desc);
    const env = /\(env: ([A-Za-z0-9_]+)\)/.exec(desc)?.[1] ?? null;
    const known = base ? flags.map((f) => findArg(base, f)).find((m) => m && !m.negated)?.spec : undefined;
    const inferred = inferType(hint, negated, desc, dflt);
    if (known && ['int', 'float', 'string'].includes(inferred.type) && ['int', 'float', 'string'].includes(known.type)) {
      inferred.type = known.type;
    }
    const spec: ArgSpec = {
      key: flags.find((f) => f.startsWith('--')) ?? flags[0],
      flags,
      negated,
      valueHint: hint,
      env,
      default: null,
      defaultText: dflt,
      group: e.group,
      description: known?.description ?? firstSentence(desc),
      ...inferred,
    };
    spec.default = typedDefault(spec);
    if (known) carryOver(spec, known);
    if (/DEPRECATED/.test(desc)) spec.deprecated = true;
    if (/argument has been removed/.test(desc)) spec.removed = true;
    if (negated.length && env?.startsWith('LLAMA_ARG_')) spec.envNegated = env.replace('LLAMA_ARG_', 'LLAMA_ARG_NO_');
    args.push(spec);
  }
  if (base) args.push(...base.args.filter((a) => a.presetOnly));
  return { build: opts.build ?? null, source: 'help', args };
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v) => b.includes(v));
}

/** Facts the help cannot show (ranges, secrets, paths) and the typed default, when types agree. */
function carryOver(spec: ArgSpec, known: ArgSpec): void {
  const sameType = known.type === spec.type;
  if (sameType && known.defaultText === spec.defaultText) spec.default = known.default;
  if (spec.type === 'string' && known.type === 'enum' && spec.valueHint === known.valueHint) {
    // Value lists some help texts give only in prose (e.g. --reasoning-format's "auto").
    spec.type = 'enum';
    spec.values = known.values;
  }
  if (sameType && !spec.values && known.values) spec.values = known.values;
  if (sameType && spec.values && known.values && sameSet(spec.values, known.values)) spec.values = known.values;
  if (known.specialValues) spec.specialValues = known.specialValues;
  if (known.listSeparator && !spec.listSeparator) spec.listSeparator = known.listSeparator;
  for (const k of ['min', 'max', 'secret', 'modelSource', 'path'] as const) {
    if (known[k] !== undefined && spec[k] === undefined) (spec as unknown as Record<string, unknown>)[k] = known[k];
  }
}
