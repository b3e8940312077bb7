import { getCatalogue } from '../catalogue.ts';
import type { Catalogue } from '../types.ts';
import type { ImportResult } from './command.ts';
import { importEnvFile } from './env-file.ts';
import { importLlamaSwap } from './llama-swap.ts';
import { importPosix } from './posix.ts';
import { importPowerShell } from './powershell.ts';
import { importPresetIni } from './preset-ini.ts';
import { splitPosix } from './posix-words.ts';

export type ImportFormat = 'posix' | 'powershell' | 'env' | 'preset-ini' | 'llama-swap';

/** Input formats in menu order with their labels ('auto' detects). */
export const IMPORT_FORMATS: { id: ImportFormat | 'auto'; label: string }[] = [
  { id: 'auto', label: 'Detect' },
  { id: 'posix', label: 'Shell command (bash, sh, zsh)' },
  { id: 'powershell', label: 'PowerShell command' },
  { id: 'env', label: 'Env file (LLAMA_ARG_…)' },
  { id: 'preset-ini', label: 'Router preset (INI)' },
  { id: 'llama-swap', label: 'llama-swap config.yaml' },
];

/** Guesses the format of pasted text. */
export function detectFormat(text: string): ImportFormat {
  const t = text.trim();
  if (/^\s*(models:|["']?[^\s:]+["']?:\s*$)/m.test(t) && /^\s+cmd:/m.test(t)) return 'llama-swap';
  if (/^\s*\[[^\]\n]+\]\s*$/m.test(t) || /^version\s*=\s*1\s*$/m.test(t)) return 'preset-ini';
  const { commands } = splitPosix(t);
  const assignment = (w: { text: string }) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.text);
  if (commands.length && commands.every((c) => (c[0].text === 'export' ? c.slice(1) : c).every(assignment))) return 'env';
  if (/`\r?\n/.test(t) || /\$env:/i.test(t) || /^\s*&\s*['"]/.test(t) || /\.exe\b/i.test(t) && !/\\\r?\n/.test(t)) return 'powershell';
  return 'posix';
}

const READERS: Record<ImportFormat, (text: string, cat: Catalogue) => ImportResult> = {
  posix: importPosix,
  powershell: importPowerShell,
  env: importEnvFile,
  'preset-ini': (t, c) => importPresetIni(t, c),
  'llama-swap': (t, c) => importLlamaSwap(t, c),
};

/**
 * Reads a pasted command or file into a configuration. Unknown flags land in `extraArgs` and
 * every decision that is not a plain reading is listed in `warnings`; nothing is dropped silently.
 */
export function importCommand(text: string, format: ImportFormat | 'auto' = 'auto', cat: Catalogue = getCatalogue()): ImportResult & { format: ImportFormat } {
  const f = format === 'auto' ? detectFormat(text) : format;
  return { ...READERS[f](text, cat), format: f };
}
