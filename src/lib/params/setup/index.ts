import { getCatalogue } from '../catalogue';
import type { Catalogue } from '../types';
import { importComposeFile, importPresetFile } from './import-files';
import { importLlamaSwapFile } from './import-llama-swap';
import type { SetupImport } from './types';

export type SetupFormat = SetupImport['format'];

/** Whole-file formats in menu order with their labels. */
export const SETUP_FORMATS: { id: SetupFormat; label: string }[] = [
  { id: 'llama-swap', label: 'llama-swap config.yaml' },
  { id: 'preset-ini', label: 'Router preset (INI)' },
  { id: 'compose', label: 'Docker Compose file' },
];

/** Which whole-file format a paste looks like, or null when it is none of them (a single command). */
export function detectSetupFormat(text: string): SetupFormat | null {
  // Line starts are checked with indexOf and startsWith: no regular expression runs over the paste.
  const lines = text.split('\n', 5000).map((l) => l.replace(/\r$/, ''));
  if (lines.some((l) => l.startsWith('models:'))) return 'llama-swap';
  if (lines.some((l) => l.startsWith('services:'))) return 'compose';
  const headers = lines.filter((l) => l.trim().startsWith('[') && l.trim().endsWith(']'));
  if (headers.length >= 1 && lines.some((l) => /^[ \t]*[A-Za-z_][A-Za-z0-9_.-]*[ \t]*=/.test(l.slice(0, 200)))) return 'preset-ini';
  return null;
}

/** Reads a whole file: every model it holds, with what belongs to the setup (groups, macros, kept-aside sections). */
export function importSetup(text: string, format: SetupFormat, cat: Catalogue = getCatalogue()): SetupImport {
  if (format === 'llama-swap') return importLlamaSwapFile(text, cat);
  if (format === 'preset-ini') return importPresetFile(text, cat);
  return importComposeFile(text, cat);
}
