import { configToArgv } from '../argv';
import { powerShellEnvRef, quotePowerShell } from '../quote/powershell';
import type { LaunchConfig } from '../types';
import { secretNotes } from './posix';
import type { ExportOptions, ExportResult } from './types';

/** A PowerShell command, one argument per line with backtick continuations. */
export function writePowerShell(config: LaunchConfig, opts: ExportOptions): ExportResult {
  const { items, errors, skipped } = configToArgv(config, opts);
  const binary = opts.binary ?? 'llama-server';
  const head = quotePowerShell(binary) === binary ? binary : `& ${quotePowerShell(binary)}`;
  const lines = [head, ...items.map((i) => i.words.map((w) => ('lit' in w ? quotePowerShell(w.lit) : powerShellEnvRef(w.env))).join(' '))];
  const warnings = [...skipped, ...secretNotes(items, (n) => `set $env:${n} = '…' first (the reference needs PowerShell 7)`)];
  const words = items.flatMap((i) => i.words).filter((w) => 'lit' in w).map((w) => (w as { lit: string }).lit);
  if (words.some((w) => w === '' || w.includes('"'))) {
    warnings.push('needs PowerShell 7.3 or later: older versions drop empty arguments and break ones containing double quotes');
  }
  return { text: lines.join(' `\n  ') + '\n', filename: 'llama-server.ps1', warnings, errors };
}
