import { getArg, getCatalogue } from '../catalogue';
import { valueText } from '../argv';
import type { LaunchConfig } from '../types';
import type { ExportOptions, ExportResult } from './types';

/**
 * Why a value cannot be written into llama-server's preset INI, or null. Its parser takes the
 * rest of the line after `=` with surrounding blanks trimmed, has no quoting, and starts a
 * comment at `;` or `#` anywhere in the value.
 */
export function iniProblem(text: string): string | null {
  if (/[\r\n\0]/.test(text)) return 'line breaks cannot be written in a preset';
  if (/[;#]/.test(text)) return '";" and "#" start a comment in a preset, so this value cannot be written there';
  if (/^[ \t]|[ \t]$/.test(text)) return 'leading or trailing blanks are trimmed by the preset parser';
  return null;
}

/** A router preset section (`--models-preset` INI): keys are long flag names without dashes. */
export function writePresetIni(config: LaunchConfig, opts: ExportOptions): ExportResult {
  const cat = opts.catalogue ?? getCatalogue();
  const name = (config.name ?? 'model').trim() || 'model';
  const errors: string[] = [];
  const warnings: string[] = [];
  if (/[\]\r\n]/.test(name)) errors.push('the name cannot contain "]" or line breaks in a preset section header');
  const lines = ['version = 1', '', `[${name}]`];
  for (const [key, value] of Object.entries(config.args)) {
    const spec = getArg(cat, key);
    if (!spec) {
      errors.push(`${key}: not a llama-server argument of this build`);
      continue;
    }
    if (spec.key === '--version') {
      errors.push('--version: "version" is a reserved key in presets');
      continue;
    }
    if (spec.type === 'string_pair') {
      errors.push(`${key}: the preset format cannot hold an argument with two values`);
      continue;
    }
    if (spec.type === 'flag' && value === false) continue;
    if (key === '--port' || key === '--host') {
      warnings.push(`${key}: the router assigns each model its own address; left out`);
      continue;
    }
    if (spec.secret && !opts.inlineSecrets) {
      warnings.push(`${key}: not written; the router passes its own environment (${spec.env}) to the model`);
      continue;
    }
    if (value === null && spec.type !== 'flag' && spec.type !== 'bool') {
      errors.push(`${key}: needs a value`);
      continue;
    }
    const text = typeof value === 'boolean' || value === null ? String(value ?? true) : valueText(value);
    const problem = iniProblem(text);
    if (problem) errors.push(`${key}: ${problem}`);
    else lines.push(`${spec.key.replace(/^-+/, '')} = ${text}`);
  }
  if (config.extraArgs.length) errors.push(`extra arguments (${config.extraArgs.join(' ')}) cannot be written in a preset`);
  return { text: lines.join('\n') + '\n', filename: 'models-preset.ini', warnings, errors };
}
