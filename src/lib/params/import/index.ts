import { getCatalogue } from '../catalogue.ts';
import type { Catalogue } from '../types.ts';
import type { ImportResult } from './command.ts';
import { importPosix } from './posix.ts';

export type ImportFormat = 'posix';

/** Input formats in menu order with their labels ('auto' detects). */
export const IMPORT_FORMATS: { id: ImportFormat | 'auto'; label: string }[] = [
  { id: 'auto', label: 'Detect' },
  { id: 'posix', label: 'Shell command (bash, sh, zsh)' },
];

/** Reads a pasted command or file into a configuration; see ImportResult. */
export function importCommand(text: string, format: ImportFormat | 'auto' = 'auto', cat: Catalogue = getCatalogue()): ImportResult {
  void format;
  return importPosix(text, cat);
}
