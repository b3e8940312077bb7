import { findArg, getCatalogue } from '../catalogue.ts';
import type { Catalogue } from '../types.ts';
import { foldEnv, fromCommands, type ImportResult } from './command.ts';
import { splitPosix } from './posix-words.ts';
import { yamlUnquote } from '../quote/yaml.ts';

interface Entry {
  name: string;
  cmd: string | null;
  env: string[];
}

const indentOf = (l: string) => /^ */.exec(l)![0].length;

/** Unquotes a one-line YAML scalar ("…" with escapes, '…' with '', or plain). */
function scalar(v: string): string {
  const t = v.trim();
  if (t.startsWith('"')) return yamlUnquote(t) ?? t.slice(1, -1);
  if (t.startsWith("'")) return t.slice(1, -1).replaceAll("''", "'");
  return t.replace(/\s+#.*$/, '');
}

/** The model entries of a llama-swap config (a small reader for the parts that hold a command). */
function entries(text: string): Entry[] {
  const lines = text.split(/\r?\n/);
  const out: Entry[] = [];
  const modelsAt = lines.findIndex((l) => /^models:\s*$/.test(l));
  const body = modelsAt >= 0 ? lines.slice(modelsAt + 1) : lines;
  let modelIndent = -1;
  let cur: Entry | null = null;
  for (let i = 0; i < body.length; i++) {
    const l = body[i];
    if (!l.trim() || l.trim().startsWith('#')) continue;
    const ind = indentOf(l);
    if (modelsAt >= 0 && ind === 0) break;
    const key = /^\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:#'"]+):\s*(.*)$/.exec(l);
    if (modelIndent < 0 || ind === modelIndent) {
      if (!key || key[2].trim()) continue;
      modelIndent = ind;
      cur = { name: scalar(key[1]), cmd: null, env: [] };
      out.push(cur);
      continue;
    }
    if (!cur || !key) continue;
    const field = key[1].trim();
    const value = key[2].trim();
    const block: string[] = [];
    const collect = () => {
      while (i + 1 < body.length && (!body[i + 1].trim() || indentOf(body[i + 1]) > ind)) block.push(body[++i]);
      const strip = Math.min(...block.filter((b) => b.trim()).map(indentOf));
      return block.map((b) => b.slice(strip));
    };
    if (field === 'cmd') {
      cur.cmd = /^[|>]/.test(value) ? collect().join(value.startsWith('>') ? ' ' : '\n') : scalar(value);
    } else if (field === 'env') {
      cur.env = collect().filter((b) => b.trim().startsWith('-')).map((b) => scalar(b.trim().slice(1)));
    }
  }
  return out;
}

/**
 * Reads a llama-swap model entry (or a whole config.yaml: the first model, or `pick`). The command
 * is prepared like llama-swap does (comment lines dropped, `\` line ends joined) and split with
 * POSIX rules; `--port ${PORT}` is left to llama-swap.
 */
export function importLlamaSwap(text: string, cat: Catalogue = getCatalogue(), pick?: string): ImportResult {
  const all = entries(text);
  const entry = all.find((e) => e.name === pick) ?? all.find((e) => e.cmd !== null);
  if (!entry || entry.cmd === null) {
    return { args: {}, extraArgs: [], env: {}, warnings: ['no model with a cmd found'], program: null, secretRefs: {} };
  }
  const cmd = entry.cmd
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .map((l) => (l.trim().endsWith('\\') ? l.trim().slice(0, -1) + ' ' : l))
    .join(' ');
  const { commands, warnings } = splitPosix(cmd);
  const result = fromCommands([commands.flat()], cat, warnings);
  result.name = entry.name;
  for (const e of all) if (e !== entry) result.warnings.push(`model ${e.name} was not imported`);
  if (result.args['--port'] === '${PORT}') {
    delete result.args['--port'];
    result.warnings = result.warnings.filter((w) => !w.includes('${PORT}'));
    result.warnings.push('--port is assigned by llama-swap (${PORT})');
  }
  const pairs: [string, string][] = [];
  for (const item of entry.env) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(item);
    if (!m) continue;
    const ref = /^\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(m[2]);
    const spec = findArg(cat, m[1])?.spec;
    if (ref && spec?.secret) result.secretRefs[spec.key] = ref[1];
    else pairs.push([m[1], m[2]]);
  }
  foldEnv(pairs, cat, result, 'the env list');
  return result;
}
