/** Text ↔ value conversions for the parameter form and displays. */
import { parseValue } from '../../lib/params/argv';
import type { ArgSpec, ArgValue } from '../../lib/params';

/** How a stored value reads in lists and comparisons. */
export function showValue(spec: ArgSpec | null, value: ArgValue | undefined): string {
  if (value === undefined) return '—';
  if (value === null) return '(no value)';
  if (typeof value === 'boolean') {
    if (spec?.type === 'flag') return value ? 'given' : 'not given';
    return value ? 'on' : 'off';
  }
  if (spec?.secret) return '••••••';
  return String(value);
}

/** Text for an input box. */
export function inputText(value: ArgValue | undefined): string {
  return value === undefined || value === null || typeof value === 'boolean' ? '' : String(value);
}

/** Value typed into an input box; empty = not set (llama-server's default). */
export function fromInput(spec: ArgSpec, text: string): ArgValue | undefined {
  if (text === '') return undefined;
  return parseValue(spec, spec.type === 'int' || spec.type === 'float' ? text.trim() : text);
}

/** What llama-server does when the argument is left out, in words. */
export function defaultLabel(spec: ArgSpec): string {
  if (spec.type === 'flag') return 'not given';
  if (spec.type === 'bool') return spec.default === true ? 'on' : spec.default === false ? 'off' : spec.defaultText ?? 'build decides';
  if (spec.defaultText) return spec.defaultText;
  if (spec.default !== null && spec.default !== '') return String(spec.default);
  return 'none';
}

/** Range or allowed values, for the field hint. */
export function rangeLabel(spec: ArgSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return `${spec.min}–${spec.max}`;
  if (spec.min !== undefined) return `≥ ${spec.min}`;
  if (spec.max !== undefined) return `≤ ${spec.max}`;
  return '';
}
