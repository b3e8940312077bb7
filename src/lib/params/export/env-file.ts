import { getArg, getCatalogue } from '../catalogue';
import type { LaunchConfig } from '../types';
import { valueText } from '../argv';
import type { ExportOptions, ExportResult } from './types';

/**
 * Double-quoted env-file value, read the same by POSIX shells (`set -a; . ./file`) and systemd's
 * EnvironmentFile=: `\`, `"`, `$` and `` ` `` are backslash-escaped. Docker's --env-file does not
 * remove quotes; use the docker export for containers.
 */
export function quoteEnvValue(text: string): string {
  return '"' + text.replace(/[\\"$`]/g, (c) => '\\' + c) + '"';
}

/** LLAMA_ARG_… lines for the arguments that have an environment variable. */
export function writeEnvFile(config: LaunchConfig, opts: ExportOptions): ExportResult {
  const cat = opts.catalogue ?? getCatalogue();
  const lines = ['# llama-server settings (llama-server reads these variables when the flags are not given)'];
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(config.args)) {
    const spec = getArg(cat, key);
    if (!spec || spec.presetOnly) {
      errors.push(`${key}: not a llama-server argument of this build`);
      continue;
    }
    if (!spec.env) {
      errors.push(`${key}: has no environment variable; pass it on the command line`);
      continue;
    }
    if (spec.type === 'flag' && value === false) continue;
    const text = typeof value === 'boolean' ? String(value) : valueText(value);
    if (value === null && spec.type !== 'flag' && spec.type !== 'bool') {
      errors.push(`${key}: needs a value`);
      continue;
    }
    if (/[\r\n\0]/.test(text)) {
      errors.push(`${key}: an env file cannot hold line breaks or NUL characters`);
      continue;
    }
    if (spec.secret && !opts.inlineSecrets) {
      lines.push(`# ${spec.env}=  (secret: add it here or in the environment)`);
      warnings.push(`${key}: not written; set ${spec.env} yourself`);
      continue;
    }
    lines.push(`${spec.env}=${quoteEnvValue(value === null ? 'true' : text)}`);
  }
  if (config.extraArgs.length) errors.push(`extra arguments (${config.extraArgs.join(' ')}) have no environment variables`);
  return { text: lines.join('\n') + '\n', filename: 'llama-server.env', warnings, errors };
}
