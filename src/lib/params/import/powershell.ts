import { getCatalogue } from '../catalogue';
import type { Catalogue } from '../types';
import { fromCommands, type ImportResult } from './command';
import { splitPowerShell } from './powershell-words';

/** Reads a command pasted from PowerShell (backtick continuations, '…' and "…" quoting). */
export function importPowerShell(text: string, cat: Catalogue = getCatalogue()): ImportResult {
  const { commands, warnings } = splitPowerShell(text);
  return fromCommands(commands, cat, warnings);
}
