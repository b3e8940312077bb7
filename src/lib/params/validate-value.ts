import type { ArgSpec, ArgValue, ConfigIssue } from './types';

const INT = /^[-+]?\d+$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function err(key: string, message: string, fix?: ConfigIssue['fix']): ConfigIssue {
  return fix ? { key, level: 'error', message, fix } : { key, level: 'error', message };
}

function rangeIssue(spec: ArgSpec, key: string, n: number): ConfigIssue | null {
  if (spec.min !== undefined && n < spec.min) {
    return err(key, `must be at least ${spec.min}`, { label: `set ${spec.min}`, set: { [key]: spec.min } });
  }
  if (spec.max !== undefined && n > spec.max) {
    return err(key, `must be at most ${spec.max}`, { label: `set ${spec.max}`, set: { [key]: spec.max } });
  }
  return null;
}

/** A fix that gives the argument a value: its default when it has one, else its first allowed value. */
function valueFix(spec: ArgSpec, key: string): ConfigIssue['fix'] {
  const v = spec.default ?? spec.values?.[0];
  if (v === undefined || v === null || typeof v === 'boolean') return { label: `remove ${key}`, remove: [key] };
  return { label: `use ${key} ${v}`, set: { [key]: v } };
}

/**
 * Checks one value against its argument: type, allowed values, range. `key` is the configuration's
 * key (reported in issues and fixes); `spec` may come from another build's catalogue.
 */
export function validateValue(spec: ArgSpec, key: string, value: ArgValue): ConfigIssue[] {
  if (typeof value === 'string' && value.includes('\0')) return [err(key, 'contains a NUL character, which no command line can carry')];
  if (spec.type === 'flag') {
    if (typeof value === 'boolean' || value === null) return [];
    if (value === 'on' || value === 'true') {
      return [err(key, `takes no value in this build; it is either given or not`, { label: `use plain ${spec.key}`, set: { [key]: true } })];
    }
    return [err(key, `takes no value in this build; it is either given or not`, { label: `remove ${key}`, remove: [key] })];
  }
  if (spec.type === 'bool') {
    if (typeof value === 'boolean') return [];
    if (value === null) return [{ key, level: 'warning', message: 'given without on/off: it turns the option on' }];
    return [err(key, 'must be on or off', { label: `turn ${key} on`, set: { [key]: true } })];
  }
  if (value === null || typeof value === 'boolean') {
    const what = spec.values ? spec.values.join(', ') : spec.valueHint ?? 'a value';
    return [err(key, `needs a value in this build (${what})`, valueFix(spec, key))];
  }
  const text = String(value);
  if (spec.type === 'int' || spec.type === 'float') {
    if (spec.specialValues?.includes(text)) return [];
    if (spec.listSeparator) {
      const bad = text.split(spec.listSeparator).find((p) => !NUMBER.test(p.trim()));
      return bad === undefined ? [] : [err(key, `"${bad}" is not a number`)];
    }
    const ok = spec.type === 'int' ? INT.test(text) : NUMBER.test(text);
    if (!ok) {
      const extra = spec.specialValues ? ` or ${spec.specialValues.join('/')}` : '';
      return [err(key, `must be ${spec.type === 'int' ? 'a whole number' : 'a number'}${extra}`, valueFix(spec, key))];
    }
    if (spec.values && !spec.values.includes(String(Number(text)))) {
      return [err(key, `must be one of ${spec.values.join(', ')}`, valueFix(spec, key))];
    }
    const r = rangeIssue(spec, key, Number(text));
    return r ? [r] : [];
  }
  if (spec.type === 'enum') {
    const parts = spec.listSeparator ? text.split(spec.listSeparator) : [text];
    const bad = parts.filter((p) => !spec.values?.includes(p));
    if (bad.length) return [err(key, `"${bad.join(spec.listSeparator ?? '')}" is not accepted; use ${spec.values?.join(', ')}`, valueFix(spec, key))];
    return [];
  }
  if (spec.type === 'string_pair' && text.trim().split(/\s+/).length !== 2) {
    return [err(key, 'needs two values separated by a space')];
  }
  if (text === '' && spec.default !== '') return [{ key, level: 'warning', message: 'is empty' }];
  return [];
}
