import { parseValue } from '../argv.ts';
import { findArg, getCatalogue } from '../catalogue.ts';
import type { ArgValue, Catalogue } from '../types.ts';
import { envValue, type ImportResult } from './command.ts';

interface Section {
  name: string;
  entries: [string, string][];
}

/** Sections of llama-server's preset INI, read the way its parser does (no quoting; ; and # comment). */
function parseIni(text: string, warnings: string[]): Section[] {
  const sections: Section[] = [{ name: '', entries: [] }];
  for (const [n, raw] of text.split(/\r\n|\n|\r/).entries()) {
    // Only space and tab count as blanks for llama-server's parser; '.' would stop at U+2028.
    const line = raw.replace(/[ \t]*[;#][^]*$/, '').replace(/^[ \t]+|[ \t]+$/g, '');
    if (!line) continue;
    const header = /^\[[ \t]*([^\]]+?)[ \t]*\]$/.exec(line);
    const kv = /^([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*([^]*)$/.exec(line);
    if (header) sections.push({ name: header[1], entries: [] });
    else if (kv) sections[sections.length - 1].entries.push([kv[1], kv[2]]);
    else warnings.push(`line ${n + 1} is not a preset line and was ignored: ${raw.trim()}`);
  }
  return sections;
}

/**
 * Reads a router preset INI. Settings of `[*]` apply to every model and are merged under the
 * first model section (or `pick`, by name); other sections are listed in the warnings.
 */
export function importPresetIni(text: string, cat: Catalogue = getCatalogue(), pick?: string): ImportResult {
  const result: ImportResult = { args: {}, extraArgs: [], env: {}, warnings: [], program: null, secretRefs: {} };
  const sections = parseIni(text, result.warnings);
  const global = sections.filter((s) => s.name === '*' || s.name === '');
  const models = sections.filter((s) => s.name !== '*' && s.name !== '');
  const chosen = models.find((s) => s.name === pick) ?? models[0];
  for (const s of models) if (s !== chosen) result.warnings.push(`section [${s.name}] is another model and was not imported`);
  if (chosen) result.name = chosen.name;
  for (const s of [...global, ...(chosen ? [chosen] : [])]) {
    for (const [key, value] of s.entries) {
      if (key === 'version') continue;
      const m = findArg(cat, key);
      if (!m) {
        result.warnings.push(`${key} is not known to build ${cat.build ?? '?'}; kept as extra arguments`);
        result.extraArgs.push(`--${key}`, value);
        continue;
      }
      let v: ArgValue | undefined;
      if (m.spec.type === 'flag' || m.spec.type === 'bool') v = envValue(m.spec, false, value);
      else v = parseValue(m.spec, value);
      if (v === undefined) {
        result.warnings.push(`${key} = ${value}: not an on/off value; ignored`);
        continue;
      }
      if (m.negated && typeof v === 'boolean') v = !v;
      if (s.name === '*' && chosen) result.warnings.push(`${key} comes from the [*] section shared by all models`);
      result.args[m.spec.key] = v;
    }
  }
  return result;
}
