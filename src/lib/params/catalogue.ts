import { BUILTIN_ARGS, BUILTIN_BUILD } from './catalogue-data';
import type { ArgSpec, Catalogue } from './types';

const BUILTIN: Catalogue = { build: BUILTIN_BUILD, source: 'builtin', args: BUILTIN_ARGS };

/** The catalogue of the llama-server build this app was made against (see BUILTIN_BUILD). */
export function getCatalogue(): Catalogue {
  return BUILTIN;
}

/** Result of looking up one spelling: the argument, and whether the spelling negates it. */
export interface ArgMatch {
  spec: ArgSpec;
  negated: boolean;
}

interface Index {
  bySpelling: Map<string, ArgMatch>;
  byKey: Map<string, ArgSpec>;
}

// Catalogues are plain data (stored, cloned); indexes are derived once per object.
const indexes = new WeakMap<Catalogue, Index>();

function indexOf(cat: Catalogue): Index {
  let idx = indexes.get(cat);
  if (idx) return idx;
  idx = { bySpelling: new Map(), byKey: new Map() };
  for (const spec of cat.args) {
    idx.byKey.set(spec.key, spec);
    for (const f of spec.flags) idx.bySpelling.set(f, { spec, negated: false });
    for (const f of spec.negated) idx.bySpelling.set(f, { spec, negated: true });
    if (spec.env) idx.bySpelling.set(spec.env, { spec, negated: false });
    if (spec.envNegated) idx.bySpelling.set(spec.envNegated, { spec, negated: true });
    if (spec.presetOnly) idx.bySpelling.set(spec.key, { spec, negated: false });
  }
  indexes.set(cat, idx);
  return idx;
}

/**
 * Finds an argument by any spelling: short or long flag (`-c`, `--ctx-size`, `--ctx_size`),
 * negated flag (`--no-mmap`), env name (`LLAMA_ARG_CTX_SIZE`, `LLAMA_ARG_NO_MMAP`), an INI key
 * (`ctx-size`, `no-mmap`) or a preset-only key. Returns null when the catalogue has no such argument.
 */
export function findArg(cat: Catalogue, spelling: string): ArgMatch | null {
  const idx = indexOf(cat);
  const direct = idx.bySpelling.get(spelling);
  if (direct) return direct;
  if (spelling.startsWith('--') && spelling.includes('_')) {
    // llama-server accepts '_' for '-' in long flags.
    const dashed = idx.bySpelling.get(spelling.replaceAll('_', '-'));
    if (dashed) return dashed;
  }
  if (!spelling.startsWith('-')) {
    // INI keys are flags without their leading dashes; try long, then short.
    return idx.bySpelling.get('--' + spelling) ?? idx.bySpelling.get('-' + spelling) ?? null;
  }
  return null;
}

/** The argument with this canonical key, or null. */
export function getArg(cat: Catalogue, key: string): ArgSpec | null {
  return indexOf(cat).byKey.get(key) ?? null;
}

/**
 * Finds the argument of `cat` that corresponds to `key` of another catalogue: same canonical key,
 * else any shared spelling (a renamed flag usually keeps its old name as an alias).
 */
export function matchAcross(cat: Catalogue, key: string, from: Catalogue): ArgMatch | null {
  const same = findArg(cat, key);
  if (same) return same;
  const spec = getArg(from, key);
  if (!spec) return null;
  for (const f of spec.flags) {
    const m = findArg(cat, f);
    if (m) return m;
  }
  // A negated spelling that the other build has (as a negation or as a plain flag such as an old
  // `--no-webui`) inverts the value.
  for (const f of spec.negated) {
    const m = findArg(cat, f);
    if (m) return { spec: m.spec, negated: !m.negated };
  }
  return spec.env ? findArg(cat, spec.env) : null;
}

/**
 * Arguments matching every word of `text` in a flag, env name or description (case-insensitive),
 * best matches first (a flag or env name that equals or starts with the query ranks above text hits).
 */
export function searchArgs(cat: Catalogue, text: string): ArgSpec[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return cat.args.slice();
  const scored: { spec: ArgSpec; score: number }[] = [];
  for (const spec of cat.args) {
    const names = [...spec.flags, ...spec.negated, spec.env ?? '', spec.key].map((s) => s.toLowerCase());
    const hay = names.join(' ') + ' ' + spec.description.toLowerCase() + ' ' + spec.group;
    if (!words.every((w) => hay.includes(w))) continue;
    const q = words.join(' ');
    const bare = (s: string) => s.replace(/^-+/, '');
    let score = 0;
    if (names.some((n) => n === q || bare(n) === bare(q))) score = 3;
    else if (names.some((n) => bare(n).startsWith(bare(q)))) score = 2;
    else if (names.some((n) => n.includes(q))) score = 1;
    scored.push({ spec, score });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.spec);
}

/** Groups in help order, with their labels. */
export const ARG_GROUPS = [
  { id: 'common', label: 'Common' },
  { id: 'sampling', label: 'Sampling' },
  { id: 'speculative', label: 'Speculative decoding' },
  { id: 'server', label: 'Server' },
  { id: 'preset', label: 'Router preset only' },
] as const;
