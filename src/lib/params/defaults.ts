import { findArg, getArg, getCatalogue } from './catalogue';
import type { ArgSpec, ArgValue, Catalogue, ConfigArgs } from './types';

function specOf(cat: Catalogue, key: string): ArgSpec | null {
  return getArg(cat, key) ?? findArg(cat, key)?.spec ?? null;
}

/** Whether `value` is what llama-server uses anyway when the argument is left out. */
export function isDefaultValue(spec: ArgSpec, value: ArgValue): boolean {
  if (spec.type === 'flag') return value === false;
  if (value === null || spec.default === null) return false;
  if (typeof spec.default === 'number') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    return n === spec.default;
  }
  return value === spec.default;
}

/**
 * The arguments without those set to their default, so a stored configuration holds only what
 * the user changed (and keeps working when a later build changes a default it did not touch).
 */
export function stripDefaults(args: ConfigArgs, cat: Catalogue = getCatalogue()): ConfigArgs {
  const out: ConfigArgs = {};
  for (const [key, value] of Object.entries(args)) {
    const spec = specOf(cat, key);
    if (!spec || !isDefaultValue(spec, value)) out[key] = value;
  }
  return out;
}

/** The value in effect for `key`: the configured one, else the catalogue default (null if unknown). */
export function effectiveValue(args: ConfigArgs, key: string, cat: Catalogue = getCatalogue()): ArgValue {
  if (key in args) return args[key];
  return specOf(cat, key)?.default ?? null;
}

export interface ArgDifference {
  key: string;
  /** Value in effect on each side (a default when not set there). */
  a: ArgValue;
  b: ArgValue;
}

/** What differs between two configurations, comparing values in effect (for side-by-side views). */
export function diffArgs(a: ConfigArgs, b: ConfigArgs, cat: Catalogue = getCatalogue()): ArgDifference[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const out: ArgDifference[] = [];
  for (const key of keys) {
    const va = effectiveValue(a, key, cat);
    const vb = effectiveValue(b, key, cat);
    const numeric = (v: ArgValue) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v)));
    const same = va === vb || (numeric(va) && numeric(vb) && Number(va) === Number(vb));
    if (!same) out.push({ key, a: va, b: vb });
  }
  return out;
}
