import { parseDocument } from 'yaml';
import { findArg, getCatalogue } from '../catalogue';
import { foldEnv, fromCommands } from '../import/command';
import { checkSize } from '../import/limits';
import { splitPosix, type ShellWord } from '../import/posix-words';
import type { Catalogue } from '../types';
import { expandMacros } from './macros';
import type { SetupGroup, SetupImport, SetupModel } from './types';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const CONTAINER = /^(docker|podman)$/;

/** Longest YAML file, line and flow nesting the readers take (see checkYamlShape). */
export const MAX_YAML_CHARS = 256 * 1024;
const MAX_YAML_LINE = 8 * 1024;
const MAX_FLOW_DEPTH = 32;
const MAX_LINE_QUOTES = 256;

/**
 * Refuses YAML shapes that make the parser slow or crash before handing them to it: the `yaml`
 * package takes seconds on lines full of quotes (an error per pair) and exhausts memory on
 * thousands of nested `[`. Real configurations have short lines and shallow nesting.
 */
function checkYamlShape(text: string): void {
  checkSize(text, MAX_YAML_CHARS, 'a YAML file');
  let lineStart = 0;
  let depth = 0;
  let quotes = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    const line = () => text.slice(0, lineStart).split('\n').length;
    if (c === '\n' || i === text.length) {
      if (i - lineStart > MAX_YAML_LINE) throw new Error(`line ${line()} is longer than ${MAX_YAML_LINE / 1024} KiB; a configuration file has no such lines`);
      if (quotes > MAX_LINE_QUOTES) throw new Error(`line ${line()} has more than ${MAX_LINE_QUOTES} quote characters; a configuration file has no such lines`);
      lineStart = i + 1;
      quotes = 0;
    } else if (c === '"') {
      quotes++;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_FLOW_DEPTH) throw new Error(`brackets nested more than ${MAX_FLOW_DEPTH} levels deep; not a configuration file`);
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
}

/** Parses YAML text into plain data, or throws the parser's first complaint with its line. */
export function parseYaml(text: string): unknown {
  checkYamlShape(text);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) throw new Error(`not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  // Aliases are capped: a few nested anchors could otherwise expand to gigabytes ("billion laughs").
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * A llama-swap command the way llama-swap prepares it: lines starting with `#` dropped, lines ending
 * in `\` joined, then split with POSIX rules (nothing is expanded).
 */
function commandWords(cmd: string): { words: ShellWord[]; warnings: string[] } {
  const joined = cmd
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .map((l) => (l.trimEnd().endsWith('\\') ? l.trimEnd().slice(0, -1) + ' ' : l))
    .join(' ');
  const { commands, warnings } = splitPosix(joined);
  return { words: commands.flat(), warnings };
}

/** `docker run … image args`: the arguments after the image are llama-server's. */
function unwrapContainer(words: ShellWord[], warnings: string[]): ShellWord[] {
  if (!CONTAINER.test(words[0]?.text ?? '') || words[1]?.text !== 'run') return words;
  const image = words.findIndex((w, i) => i > 1 && /llama\.cpp:|llama-server/.test(w.text) && !w.text.startsWith('-'));
  if (image < 0) return words;
  warnings.push(`runs ${words[image].text} with ${words[0].text}; the container options (${words.slice(2, image).map((w) => w.text).join(' ')}) are not kept, only llama-server's arguments`);
  return [{ text: 'llama-server', expansions: [] }, ...words.slice(image + 1)];
}

function readModel(name: string, entry: Record<string, unknown>, global: Record<string, unknown>, cat: Catalogue): SetupModel {
  const warnings: string[] = [];
  const macros = { ...global, ...(isObject(entry.macros) ? entry.macros : {}) };
  const { cmd: rawCmd, env: rawEnv, ...swap } = entry;
  const base: SetupModel = { name, args: {}, extraArgs: [], env: {}, warnings, program: null, secretRefs: {}, swap };
  if (typeof rawCmd !== 'string' || !rawCmd.trim()) {
    warnings.push('has no cmd; nothing to import as llama-server arguments');
    return base;
  }
  const { words, warnings: splitWarnings } = commandWords(expandMacros(rawCmd, macros, name, warnings));
  const result = fromCommands([unwrapContainer(words, warnings)], cat, [...warnings, ...splitWarnings]);
  const model: SetupModel = { ...result, name, swap };
  const isPortMacro = (v: unknown) => v === '${PORT}';
  if (isPortMacro(model.args['--port'])) {
    delete model.args['--port'];
    model.warnings = model.warnings.filter((w) => !w.includes('${PORT}'));
    model.warnings.push('--port is assigned by llama-swap (${PORT})');
  }
  const keptEnv: string[] = [];
  const pairs: [string, string][] = [];
  for (const item of Array.isArray(rawEnv) ? rawEnv : []) {
    const m = typeof item === 'string' ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(item) : null;
    if (!m) {
      model.warnings.push(`env entry ${JSON.stringify(item)} is not NAME=value; kept as written`);
      keptEnv.push(String(item));
      continue;
    }
    const value = item.slice(m[0].length);
    const spec = findArg(cat, m[1])?.spec;
    const ref = /^\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    if (ref && spec?.secret) model.secretRefs[spec.key] = ref[1];
    else if (spec && (m[1] === spec.env || m[1] === spec.envNegated)) pairs.push([m[1], expandMacros(value, macros, name, model.warnings)]);
    else keptEnv.push(item);
  }
  const before = Object.keys(model.env).length;
  foldEnv(pairs, cat, model, 'the env list');
  // Values foldEnv could not read stay in llama-swap's env list, where they came from.
  for (const [k, v] of Object.entries(model.env).slice(before)) keptEnv.push(`${k}=${v}`);
  model.env = {};
  if (keptEnv.length) model.swap = { ...swap, env: keptEnv };
  return model;
}

function readGroups(raw: unknown, warnings: string[]): SetupGroup[] {
  if (!isObject(raw)) return [];
  const out: SetupGroup[] = [];
  for (const [name, g] of Object.entries(raw)) {
    if (!isObject(g) || !Array.isArray(g.members)) {
      warnings.push(`group ${name} has no members list; left out`);
      continue;
    }
    const group: SetupGroup = { name, members: g.members.map(String) };
    for (const k of ['swap', 'exclusive', 'persistent'] as const) if (typeof g[k] === 'boolean') group[k] = g[k];
    out.push(group);
  }
  return out;
}

/**
 * Reads a whole llama-swap config.yaml: every model with its command understood (macros expanded,
 * `${PORT}` left to llama-swap, `${env.NAME}` kept as a reference), groups from the top level
 * (older files) or `routing.router.settings.groups`, and the sections the app does not model.
 */
export function importLlamaSwapFile(text: string, cat: Catalogue = getCatalogue()): SetupImport {
  const doc = parseYaml(text);
  if (!isObject(doc)) throw new Error('no "models:" section found: is this a llama-swap config.yaml?');
  // A pasted entry alone (`name:` with `cmd:` under it) reads as the models section.
  const bare = !isObject(doc.models) && Object.values(doc).some((v) => isObject(v) && 'cmd' in v);
  if (!isObject(doc.models) && !bare) throw new Error('no "models:" section found: is this a llama-swap config.yaml?');
  if (bare) return importLlamaSwapFile(`models:\n${text.replace(/^/gm, '  ')}`, cat);
  const warnings: string[] = [];
  const macros = isObject(doc.macros) ? doc.macros : {};
  const models = Object.entries(doc.models as Record<string, unknown>).map(([name, entry]) =>
    isObject(entry) ? readModel(name, entry, macros, cat) : { name, args: {}, extraArgs: [], env: {}, warnings: ['is not a mapping; nothing to import'], program: null, secretRefs: {} },
  );
  const { models: _m, macros: _g, groups: legacy, ...keptAside } = doc;
  let groups = readGroups(legacy, warnings);
  const router = isObject(doc.routing) && isObject(doc.routing.router) ? doc.routing.router : null;
  if (router && isObject(router.settings) && router.settings.groups !== undefined) {
    groups = [...groups, ...readGroups(router.settings.groups, warnings)];
    const { groups: _r, ...settings } = router.settings;
    keptAside.routing = { ...(doc.routing as Record<string, unknown>), router: { ...router, settings } };
  }
  return { format: 'llama-swap', models, groups, macros, keptAside, warnings };
}
