import { getCatalogue } from '../catalogue.ts';
import type { Catalogue } from '../types.ts';
import { fromCommands, type ImportResult } from './command.ts';
import { splitPosix } from './posix-words.ts';

/** Reads a command pasted from a POSIX shell (bash, dash, zsh), with quotes and continuations. */
export function importPosix(text: string, cat: Catalogue = getCatalogue()): ImportResult {
  const { commands, warnings } = splitPosix(text);
  return fromCommands(commands, cat, warnings);
}
