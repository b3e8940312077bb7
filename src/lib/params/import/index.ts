import { getCatalogue } from '../catalogue';
import type { Catalogue } from '../types';
import type { ImportResult } from './command';
import { importEnvFile } from './env-file';
import { importLlamaSwap } from './llama-swap';
import { importPosix } from './posix';
import { importPowerShell } from './powershell';
import { importPresetIni } from './preset-ini';
import { splitPosix } from './posix-words';
import { checkSize, MAX_COMMAND_CHARS, MAX_FILE_CHARS } from './limits';

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

/** Whether some line of `text` (within its first 5000) passes `test`; no regular expression spans lines. */
function someLine(text: string, test: (line: string) => boolean): boolean {
  return text.split('\n', 5000).some((l) => test(l.replace(/\r$/, '')));
}

/** Guesses the format of pasted text. */
export function detectFormat(text: string): ImportFormat {
  const t = text.trim();
  const head = (l: string) => l.slice(0, 300);
  if (someLine(t, (l) => l.startsWith('models:') || /^[ \t]+cmd:/.test(head(l)))) return 'llama-swap';
  if (someLine(t, (l) => { const s = l.trim(); return (s.startsWith('[') && s.endsWith(']') && s.length > 2) || /^version[ \t]*=[ \t]*1$/.test(head(s)); })) return 'preset-ini';
  // Longer than any command: the reader refuses it, so do not split it here.
  if (t.length > MAX_COMMAND_CHARS) return 'posix';
  const { commands } = splitPosix(t);
  const assignment = (w: { text: string }) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.text);
  if (commands.length && commands.every((c) => (c[0].text === 'export' ? c.slice(1) : c).every(assignment))) return 'env';
  if (t.includes('`\n') || t.includes('`\r\n') || /\$env:/i.test(t) || /^[ \t]*&[ \t]*['"]/.test(t) || /\.exe\b/i.test(t) && !/\\\r?\n/.test(t)) return 'powershell';
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
  checkSize(text, MAX_FILE_CHARS, 'a pasted file');
  const f = format === 'auto' ? detectFormat(text) : format;
  if (f !== 'preset-ini' && f !== 'llama-swap') checkSize(text, MAX_COMMAND_CHARS, 'a command');
  return { ...READERS[f](text, cat), format: f };
}
