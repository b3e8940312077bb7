import { getCatalogue } from '../catalogue.ts';
import type { Catalogue } from '../types.ts';
import { fromCommands, type ImportResult } from './command.ts';
import { splitPowerShell } from './powershell-words.ts';

/** Reads a command pasted from PowerShell (backtick continuations, '…' and "…" quoting). */
export function importPowerShell(text: string, cat: Catalogue = getCatalogue()): ImportResult {
  const { commands, warnings } = splitPowerShell(text);
  return fromCommands(commands, cat, warnings);
}
