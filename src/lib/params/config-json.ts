import { getArg } from './catalogue';
import { checkSize, MAX_FILE_CHARS } from './import/limits';
import type { Catalogue, ConfigArgs } from './types';

/** A configuration as shared in JSON: what a user edits, without ids, links or timestamps. */
export interface SharedConfig {
  name: string;
  family: string;
  type: string;
  notes: string;
  args: ConfigArgs;
  extraArgs: string[];
}

/** The JSON file: configurations and the llama-server build they were made for. */
export interface SharedConfigs {
  format: 'llama-dashboard-configurations';
  version: 1;
  /** Build label of the catalogue the keys belong to (null = unknown). */
  build: string | null;
  configurations: SharedConfig[];
}

const FORMAT = 'llama-dashboard-configurations';

/**
 * Writes configurations as JSON for sharing. Arguments the catalogue marks secret (API keys, tokens)
 * are left out unless `includeSecrets`; `left` names what was left out, per configuration.
 */
export function configsToJson(configs: SharedConfig[], cat: Catalogue, includeSecrets = false): { text: string; left: string[] } {
  const left: string[] = [];
  const out: SharedConfigs = {
    format: FORMAT,
    version: 1,
    build: cat.build,
    configurations: configs.map((c) => {
      const args: ConfigArgs = {};
      for (const [k, v] of Object.entries(c.args)) {
        if (getArg(cat, k)?.secret && !includeSecrets) left.push(`${c.name}: ${k}`);
        else args[k] = v;
      }
      return { name: c.name, family: c.family, type: c.type, notes: c.notes, args, extraArgs: [...c.extraArgs] };
    }),
  };
  return { text: JSON.stringify(out, null, 2) + '\n', left };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isValue = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Reads a file written by configsToJson; throws a message in words when it is not one. */
export function configsFromJson(text: string): SharedConfigs {
  checkSize(text, MAX_FILE_CHARS, 'a configurations file');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc) || doc.format !== FORMAT) throw new Error('not a configurations file of this app (its "format" field is missing or different)');
  if (doc.version !== 1) throw new Error(`configurations file version ${String(doc.version)} is newer than this app reads (1)`);
  if (!Array.isArray(doc.configurations)) throw new Error('the file has no "configurations" list');
  const configurations = doc.configurations.map((c, i): SharedConfig => {
    const where = `configuration ${i + 1}`;
    if (!isObject(c) || typeof c.name !== 'string' || !c.name.trim()) throw new Error(`${where} has no name`);
    if (!isObject(c.args) || !Object.values(c.args).every(isValue)) throw new Error(`${c.name}: "args" must map flags to plain values`);
    if (!Array.isArray(c.extraArgs) || !c.extraArgs.every((w) => typeof w === 'string')) throw new Error(`${c.name}: "extraArgs" must be a list of words`);
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    return { name: c.name, family: text(c.family), type: text(c.type), notes: text(c.notes), args: c.args as ConfigArgs, extraArgs: c.extraArgs as string[] };
  });
  return { format: FORMAT, version: 1, build: typeof doc.build === 'string' ? doc.build : null, configurations };
}
