import { configToArgv, type ArgvItem } from '../argv';
import { posixEnvRef, quotePosix } from '../quote/posix';
import type { LaunchConfig } from '../types';
import type { ExportOptions, ExportResult } from './types';

/** Renders argv items as POSIX shell words (secrets as `"${NAME:?…}"`). */
export function posixWords(item: ArgvItem): string {
  return item.words.map((w) => ('lit' in w ? quotePosix(w.lit) : posixEnvRef(w.env))).join(' ');
}

/** Notes telling the user which environment variables the command expects. */
export function secretNotes(items: ArgvItem[], how: (env: string) => string): string[] {
  return items
    .filter((i) => i.secretEnv && i.words.some((w) => 'env' in w))
    .map((i) => `${i.key} is read from the environment variable ${i.secretEnv}: ${how(i.secretEnv!)}`);
}

/** A command for bash, dash, zsh and other POSIX shells, on one line or with `\` continuations. */
export function writePosix(config: LaunchConfig, opts: ExportOptions, multiline: boolean): ExportResult {
  const { items, errors, skipped } = configToArgv(config, opts);
  const lines = [quotePosix(opts.binary ?? 'llama-server'), ...items.map(posixWords)];
  return {
    text: lines.join(multiline ? ' \\\n  ' : ' ') + '\n',
    filename: 'llama-server.sh',
    warnings: [...skipped, ...secretNotes(items, (n) => `export ${n}=… before running the command`)],
    errors,
  };
}
