import { getCatalogue } from '../catalogue';
import type { Catalogue } from '../types';
import { foldEnv, type ImportResult } from './command';
import { splitPosix } from './posix-words';

/** Reads NAME=value lines (optionally `export NAME=value`, shell quoting, # comments). */
export function importEnvFile(text: string, cat: Catalogue = getCatalogue()): ImportResult {
  const result: ImportResult = { args: {}, extraArgs: [], env: {}, warnings: [], program: null, secretRefs: {} };
  const { commands, warnings } = splitPosix(text);
  for (const w of warnings) result.warnings.push(w);
  const pairs: [string, string][] = [];
  for (const words of commands) {
    const ws = words[0]?.text === 'export' ? words.slice(1) : words;
    for (const w of ws) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.text);
      if (!m) {
        result.warnings.push(`ignored "${w.text}": not a NAME=value line`);
        continue;
      }
      for (const e of w.expansions) result.warnings.push(`${m[1]} contains ${e}, which is kept as written (not expanded)`);
      pairs.push([m[1], w.text.slice(m[0].length)]);
    }
  }
  foldEnv(pairs, cat, result, 'the env file');
  return result;
}
