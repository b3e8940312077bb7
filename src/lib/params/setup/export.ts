import { stringify } from 'yaml';
import { writeCompose } from '../export/docker';
import { writeLlamaSwap } from '../export/llama-swap';
import { writePresetIni } from '../export/preset-ini';
import type { ExportOptions, ExportResult } from '../export/types';
import type { ArgValue, LaunchConfig } from '../types';
import { parseYaml } from './import-llama-swap';
import type { SetupExtras, SwapFields } from './types';

/** A configuration in a setup export: its name is the llama-swap model id, preset section or service. */
export interface SetupConfig extends LaunchConfig {
  name: string;
  /** llama-swap fields kept from an import (ttl, aliases, filters...), written back unchanged. */
  swap?: SwapFields;
}

export type SetupExportFormat = 'llama-swap' | 'preset-ini' | 'compose';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const YAML_OUT = { lineWidth: 0, blockQuote: 'literal' as const };

function duplicates(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
}

/** llama-swap takes macro values up to this length. */
const MAX_MACRO_CHARS = 1024;

/**
 * Command lines (one per argument, the program first) that every model repeats go into one global
 * macro, so a shared program path or flag is changed in one place. Only where it helps: two models
 * or more sharing the program and a flag, or two flags. Order within a command does not matter to
 * llama-server, except that the program stays first. Returns the macro added, if any.
 */
function shareLines(models: Record<string, Record<string, unknown>>, taken: Set<string>): Record<string, string> {
  const cmds = Object.values(models).map((m) => String(m.cmd).split('\n').filter((l) => l.trim()));
  if (cmds.length < 2) return {};
  // Every command has its own --port ${PORT} line; it is not a flag the user shares.
  const shared = cmds[0].filter((l, i) => cmds[0].indexOf(l) === i && !l.includes('${PORT}') && cmds.every((c) => c.includes(l)));
  const value = shared.join(' ');
  if (shared.length < 2 || value.length > MAX_MACRO_CHARS) return {};
  let name = 'shared_flags';
  for (let i = 2; taken.has(name); i++) name = `shared_flags_${i}`;
  for (const [id, m] of Object.entries(models)) {
    const lines = String(m.cmd).split('\n').filter((l) => l.trim());
    const head = shared.includes(lines[0]) ? [] : [lines[0]];
    const rest = lines.slice(head.length).filter((l) => !shared.includes(l));
    models[id] = { ...m, cmd: [...head, `\${${name}}`, ...rest].join('\n') + '\n' };
  }
  return { [name]: value };
}

/**
 * Each configuration goes through the single-model writer (which quotes every value for its target),
 * and its output is read back and combined: one quoting path for one model and for many.
 */
function llamaSwap(configs: SetupConfig[], opts: ExportOptions, extras: SetupExtras): ExportResult {
  const warnings: string[] = [];
  const errors: string[] = [];
  const models: Record<string, Record<string, unknown>> = {};
  for (const c of configs) {
    const one = writeLlamaSwap(c, opts);
    for (const w of one.warnings) warnings.push(`${c.name}: ${w}`);
    for (const e of one.errors) errors.push(`${c.name}: ${e}`);
    const entry = (parseYaml(one.text) as { models: Record<string, Record<string, unknown>> }).models[c.name.trim() || 'model'];
    const { cmd: _c, ...kept } = c.swap ?? {};
    const env = [...(Array.isArray(kept.env) ? kept.env : []), ...(Array.isArray(entry.env) ? entry.env : [])];
    models[c.name] = { ...entry, ...kept, cmd: entry.cmd, ...(env.length ? { env } : {}) };
  }
  const taken = new Set([...Object.keys(extras.macros ?? {}), ...configs.flatMap((c) => (isObject(c.swap?.macros) ? Object.keys(c.swap.macros) : []))]);
  const macros = { ...(extras.macros ?? {}), ...shareLines(models, taken) };
  const doc: Record<string, unknown> = { ...(extras.keptAside ?? {}) };
  if (Object.keys(macros).length) doc.macros = macros;
  doc.models = models;
  const groups = (extras.groups ?? []).filter((g) => g.members.some((m) => m in models));
  for (const g of extras.groups ?? []) if (!groups.includes(g)) warnings.push(`group ${g.name} is left out: none of its members is part of this export`);
  if (groups.length) {
    const out = Object.fromEntries(groups.map(({ name, ...g }) => [name, g]));
    for (const g of groups) for (const m of g.members) if (!(m in models)) warnings.push(`group ${g.name}: ${m} is not part of this export`);
    if ('matrix' in doc || 'groups' in doc) doc.groups = out;
    else {
      const routing = isObject(doc.routing) ? doc.routing : {};
      const router = isObject(routing.router) ? routing.router : { use: 'group' };
      const settings = isObject(router.settings) ? router.settings : {};
      doc.routing = { ...routing, router: { ...router, settings: { ...settings, groups: out } } };
    }
  }
  return { text: stringify(doc, YAML_OUT), filename: 'config.yaml', warnings, errors };
}

const sameValue = (a: ArgValue | undefined, b: ArgValue | undefined) => a !== undefined && a === b;

/** One preset for the router: settings every configuration shares go to `[*]`. */
function presetIni(configs: SetupConfig[], opts: ExportOptions): ExportResult {
  const warnings: string[] = [];
  const errors: string[] = [];
  const shared: Record<string, ArgValue> = {};
  if (configs.length > 1) {
    for (const [k, v] of Object.entries(configs[0].args)) if (configs.every((c) => sameValue(c.args[k], v))) shared[k] = v;
  }
  const body = (r: ExportResult) => r.text.split('\n').slice(2).join('\n').trimEnd();
  const parts = ['version = 1'];
  if (Object.keys(shared).length) {
    const g = writePresetIni({ name: '*', args: shared, extraArgs: [] }, opts);
    parts.push('', body(g));
    for (const w of g.warnings) warnings.push(`[*]: ${w}`);
    for (const e of g.errors) errors.push(`[*]: ${e}`);
  }
  for (const c of configs) {
    const args = Object.fromEntries(Object.entries(c.args).filter(([k]) => !(k in shared)));
    const r = writePresetIni({ ...c, args }, opts);
    parts.push('', body(r));
    for (const w of r.warnings) warnings.push(`${c.name}: ${w}`);
    for (const e of r.errors) errors.push(`${c.name}: ${e}`);
  }
  return { text: parts.join('\n') + '\n', filename: 'models-preset.ini', warnings, errors };
}

/** One Compose file with a service per configuration; ports published twice are an error. */
function compose(configs: SetupConfig[], opts: ExportOptions): ExportResult {
  const warnings: string[] = [];
  const errors: string[] = [];
  const services: Record<string, unknown> = {};
  const volumes: Record<string, unknown> = {};
  const published = new Map<string, string>();
  for (const c of configs) {
    const r = writeCompose(c, opts);
    const doc = parseYaml(r.text) as { services: Record<string, Record<string, unknown>>; volumes?: Record<string, unknown> };
    for (const [name, svc] of Object.entries(doc.services)) {
      if (name in services) errors.push(`${c.name}: the service name ${name} is taken by another configuration; rename one`);
      services[name] = svc;
      for (const p of (svc.ports as string[] | undefined) ?? []) {
        const host = p.slice(0, p.lastIndexOf(':'));
        const other = published.get(host);
        if (other) errors.push(`${c.name}: publishes ${host}, as ${other} does; give each configuration its own --port`);
        published.set(host, c.name);
      }
    }
    Object.assign(volumes, doc.volumes ?? {});
    for (const w of r.warnings) warnings.push(`${c.name}: ${w}`);
    for (const e of r.errors) errors.push(`${c.name}: ${e}`);
  }
  const doc: Record<string, unknown> = { services };
  if (Object.keys(volumes).length) doc.volumes = volumes;
  return { text: stringify(doc, YAML_OUT), filename: 'compose.yaml', warnings, errors };
}

/**
 * Writes several configurations as one file: a llama-swap config.yaml (with groups, macros and the
 * sections kept aside from an import), a router preset INI, or a Compose file. Check `errors`.
 */
export function exportSetup(configs: SetupConfig[], format: SetupExportFormat, opts: ExportOptions = {}, extras: SetupExtras = {}): ExportResult {
  const dup = duplicates(configs.map((c) => c.name.trim()));
  const result = format === 'llama-swap' ? llamaSwap(configs, opts, extras) : format === 'preset-ini' ? presetIni(configs, opts) : compose(configs, opts);
  for (const d of new Set(dup)) result.errors.unshift(`two configurations are named ${d}; names must differ in one file`);
  return result;
}
