import { getCatalogue } from '../catalogue';
import type { Catalogue } from '../types';
import { fromCommands, type ImportResult } from './command';
import { splitPosix } from './posix-words';

/** Reads a command pasted from a POSIX shell (bash, dash, zsh), with quotes and continuations. */
export function importPosix(text: string, cat: Catalogue = getCatalogue()): ImportResult {
  const { commands, warnings } = splitPosix(text);
  return fromCommands(commands, cat, warnings);
}
