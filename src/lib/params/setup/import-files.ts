import { getCatalogue } from '../catalogue';
import { fromCommands, type ImportResult } from '../import/command';
import { splitPosix, type ShellWord } from '../import/posix-words';
import { checkSize, MAX_FILE_CHARS } from '../import/limits';
import { applySection, parseIni } from '../import/preset-ini';
import type { Catalogue } from '../types';
import { parseYaml } from './import-llama-swap';
import type { SetupImport, SetupModel } from './types';

const empty = (): ImportResult => ({ args: {}, extraArgs: [], env: {}, warnings: [], program: null, secretRefs: {} });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a whole router preset INI: one configuration per section, each with the `[*]` settings
 * applied first (as the router does), its own lines winning.
 */
export function importPresetFile(text: string, cat: Catalogue = getCatalogue()): SetupImport {
  checkSize(text, MAX_FILE_CHARS, 'a preset file');
  const warnings: string[] = [];
  const sections = parseIni(text, warnings);
  const global = sections.filter((s) => s.name === '*' || s.name === '');
  const shared = global.flatMap((s) => s.entries.map(([k]) => k)).filter((k) => k !== 'version');
  if (shared.length) warnings.push(`[*] applies to every model: ${shared.join(', ')}`);
  const models: SetupModel[] = sections
    .filter((s) => s.name !== '*' && s.name !== '')
    .map((s) => {
      const r = empty();
      for (const g of global) applySection(g, cat, r);
      applySection(s, cat, r);
      return { ...r, name: s.name };
    });
  if (!models.length) throw new Error('no model section ([name]) found in the preset');
  return { format: 'preset-ini', models, groups: [], macros: {}, keptAside: {}, warnings };
}

/** The words of a Compose `command:`: a list as is, a string split with shell rules as Compose does. */
function commandWords(cmd: unknown, warnings: string[]): ShellWord[] {
  if (Array.isArray(cmd)) return cmd.map((w) => ({ text: String(w).replaceAll('$$', '$'), expansions: [] }));
  if (typeof cmd === 'string') {
    const split = splitPosix(cmd.replaceAll('$$', '$'));
    for (const w of split.warnings) warnings.push(w);
    return split.commands.flat();
  }
  return [];
}

/**
 * Reads a Compose file: every service that runs a llama.cpp server image (or whose command starts
 * with llama-server) becomes a configuration; other services are named in the warnings. ``$$` is
 * Compose's escape for `$`.
 */
export function importComposeFile(text: string, cat: Catalogue = getCatalogue()): SetupImport {
  const doc = parseYaml(text);
  if (!isObject(doc) || !isObject(doc.services)) throw new Error('no "services:" section found: is this a Compose file?');
  const warnings: string[] = [];
  const models: SetupModel[] = [];
  for (const [name, svc] of Object.entries(doc.services)) {
    if (!isObject(svc)) continue;
    const image = typeof svc.image === 'string' ? svc.image : '';
    const own: string[] = [];
    const words = commandWords(svc.command, own);
    const starts = /(^|\/)llama-server$/.test(words[0]?.text ?? '');
    if (!/llama\.cpp|llama-server/.test(image) && !starts) {
      warnings.push(`service ${name} (${image || 'no image'}) does not run llama-server; not imported`);
      continue;
    }
    const r = fromCommands([starts ? words : [{ text: 'llama-server', expansions: [] }, ...words]], cat, own);
    r.program = image || r.program;
    const port = Array.isArray(svc.ports) ? String(svc.ports[0] ?? '') : '';
    if (port) r.warnings.push(`published as ${port}`);
    if (r.args['--host'] === '0.0.0.0') {
      delete r.args['--host'];
      r.warnings.push('--host 0.0.0.0 is what a container needs; the address comes from the published port');
    }
    models.push({ ...r, name });
  }
  if (!models.length) throw new Error('no service in this Compose file runs llama-server');
  return { format: 'compose', models, groups: [], macros: {}, keptAside: {}, warnings };
}
