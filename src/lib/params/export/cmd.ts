import { configToArgv } from '../argv';
import { cmdProblem, quoteCmd } from '../quote/cmd';
import type { LaunchConfig } from '../types';
import type { ExportOptions, ExportResult } from './types';

/**
 * A Windows batch file (.cmd). Secrets are not written: llama-server reads LLAMA_API_KEY and
 * HF_TOKEN from the environment itself, and the script stops early when one it needs is unset.
 * See quote/cmd.ts for the quoting rules and their limits.
 */
export function writeCmd(config: LaunchConfig, opts: ExportOptions): ExportResult {
  const { items, errors, skipped } = configToArgv(config, opts);
  const warnings: string[] = [...skipped];
  const lines: string[] = [];
  const guards: string[] = [];
  for (const item of items) {
    const env = item.words.find((w) => 'env' in w);
    if (env && 'env' in env) {
      guards.push(`if not defined ${env.env} (echo ${env.env} is not set: llama-server reads ${item.key} from it& exit /b 1)`);
      warnings.push(`${item.key} is read from the environment variable ${env.env}: set ${env.env}=… before running the script`);
      continue;
    }
    const words = item.words.map((w) => ('lit' in w ? w.lit : ''));
    const bad = words.map(cmdProblem).find((p) => p !== null);
    if (bad) errors.push(`${item.key ?? words[0]}: ${bad}`);
    else lines.push(words.map(quoteCmd).join(' '));
  }
  const all = [opts.binary ?? 'llama-server.exe', ...items.flatMap((i) => i.words.map((w) => ('lit' in w ? w.lit : '')))];
  const head = ['@echo off', 'setlocal DisableDelayedExpansion'];
  if (/[^\x00-\x7f]/.test(all.join(''))) {
    head.push('chcp 65001 >nul');
    warnings.push('contains non-ASCII characters: save the file as UTF-8');
  }
  const text = [...head, ...guards, [quoteCmd(opts.binary ?? 'llama-server.exe'), ...lines].join(' ^\n  ')].join('\r\n') + '\r\n';
  return { text: text.replace(/\r?\n/g, '\r\n'), filename: 'llama-server.cmd', warnings, errors };
}
