import { parseValue } from '../argv';
import { findArg, getCatalogue } from '../catalogue';
import type { ArgValue, Catalogue } from '../types';
import { envValue, type ImportResult } from './command';

/** One `[name]` section of a preset INI with its `key = value` lines in order ('' = before any header). */
export interface IniSection {
  name: string;
  entries: [string, string][];
}

/** `s` without the spaces and tabs at both ends (the only blanks llama-server's parser trims). */
function trimBlanks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === ' ' || s[a] === '\t')) a++;
  while (b > a && (s[b - 1] === ' ' || s[b - 1] === '\t')) b--;
  return s.slice(a, b);
}

/**
 * Sections of llama-server's preset INI, read the way its parser does (no quoting; ; and # comment).
 * Scans by index rather than with regular expressions around blanks, which backtrack on a long run
 * of spaces.
 */
export function parseIni(text: string, warnings: string[]): IniSection[] {
  const sections: IniSection[] = [{ name: '', entries: [] }];
  for (const [n, raw] of text.split(/\r\n|\n|\r/).entries()) {
    let cut = raw.length;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === ';' || raw[i] === '#') {
        cut = i;
        break;
      }
    }
    const line = trimBlanks(raw.slice(0, cut));
    if (!line) continue;
    const eq = line.indexOf('=');
    const key = eq > 0 ? trimBlanks(line.slice(0, eq)) : '';
    if (line.startsWith('[') && line.endsWith(']') && line.indexOf(']') === line.length - 1 && trimBlanks(line.slice(1, -1))) {
      sections.push({ name: trimBlanks(line.slice(1, -1)), entries: [] });
    } else if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      sections[sections.length - 1].entries.push([key, trimBlanks(line.slice(eq + 1))]);
    } else {
      warnings.push(`line ${n + 1} is not a preset line and was ignored: ${trimBlanks(raw).slice(0, 200)}`);
    }
  }
  return sections;
}

/** Reads one section's lines into `result` (later lines win); `version` is the file's, not a flag. */
export function applySection(section: IniSection, cat: Catalogue, result: ImportResult): void {
  for (const [key, value] of section.entries) {
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
    result.args[m.spec.key] = v;
  }
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
  for (const s of global) {
    if (s.name === '*' && chosen) for (const [key] of s.entries) result.warnings.push(`${key} comes from the [*] section shared by all models`);
    applySection(s, cat, result);
  }
  if (chosen) applySection(chosen, cat, result);
  return result;
}
