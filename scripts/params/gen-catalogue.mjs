// Generates src/lib/params/catalogue-data.ts, the built-in llama-server parameter catalogue.
// Facts (flags, env names, types, defaults, groups) come from our capture of build b10573,
// tests/fixtures/llama-server/args.json; descriptions from scripts/params/descriptions.tsv (our own
// words); ranges, secrets and paths from the tables below.
// Usage: node scripts/params/gen-catalogue.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = JSON.parse(readFileSync(root + 'tests/fixtures/llama-server/args.json', 'utf8'));
const descriptions = new Map(
  readFileSync(root + 'scripts/params/descriptions.tsv', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t')),
);

/** [min, max] per canonical key; null = open end. */
const RANGES = {
  '--threads': [-1, null], '--threads-batch': [-1, null], '--threads-http': [-1, null],
  '--spec-draft-threads': [-1, null], '--spec-draft-threads-batch': [-1, null],
  '--poll': [0, 100], '--ctx-size': [0, null], '--predict': [-2, null],
  '--batch-size': [1, null], '--ubatch-size': [1, null], '--keep': [-1, null],
  '--ctx-checkpoints': [0, null], '--checkpoint-min-step': [0, null], '--cache-ram': [-1, null],
  '--seed': [-1, 4294967295], '--top-k': [0, null], '--top-p': [0, 1], '--min-p': [0, 1],
  '--xtc-probability': [0, 1], '--xtc-threshold': [0, 1], '--typical': [0, 1],
  '--repeat-last-n': [-1, null], '--repeat-penalty': [0, null], '--dry-multiplier': [0, null],
  '--dry-base': [0, null], '--dry-allowed-length': [0, null], '--dry-penalty-last-n': [-1, null],
  '--adaptive-target': [null, 1], '--adaptive-decay': [0, 0.99], '--dynatemp-range': [0, null],
  '--mirostat-lr': [0, null], '--mirostat-ent': [0, null], '--yarn-orig-ctx': [0, null],
  '--parallel': [-1, null], '--image-min-tokens': [0, null], '--image-max-tokens': [0, null],
  '--mtmd-batch-max-tokens': [1, null], '--n-cpu-moe': [0, null], '--gpu-layers': [-1, null],
  '--main-gpu': [0, null], '--fit-ctx': [0, null], '--embd-normalize': [-1, null],
  '--port': [0, 65535], '--timeout': [0, null], '--sse-ping-interval': [0, null],
  '--cache-reuse': [0, null], '--models-max': [0, null], '--reasoning-budget': [-1, null],
  '--slot-prompt-similarity': [0, 1], '--sleep-idle-seconds': [-1, null],
  '--spec-draft-n-cpu-moe': [0, null], '--spec-draft-n-max': [0, null], '--spec-draft-n-min': [0, null],
  '--spec-draft-p-split': [0, 1], '--spec-draft-p-min': [0, 1], '--spec-draft-ngl': [-1, null],
  '--draft': [0, null], '--draft-min': [0, null], 'stop-timeout': [0, null],
};
const SECRETS = new Set(['--api-key', '--hf-token']);
// Still parsed by b10573, but only to fail with "the argument has been removed".
const REMOVED = new Set(['--draft', '--draft-min', '--spec-ngram-size-n', '--spec-ngram-size-m', '--spec-ngram-min-hits']);
const MODEL_SOURCES = new Set(['--model', '--model-url', '--docker-repo', '--hf-repo']);
const PRESET_MODELS = /^--(embd-gemma|fim-qwen|gpt-oss|vision-gemma)-.*-(default|spec)$/;
const PATHS = {
  '--model': 'file', '--mmproj': 'file', '--spec-draft-model': 'file', '--chat-template-file': 'file',
  '--grammar-file': 'file', '--json-schema-file': 'file', '--api-key-file': 'file',
  '--ssl-key-file': 'file', '--ssl-cert-file': 'file', '--models-preset': 'file',
  '--ui-config-file': 'file', '--mcp-servers-config': 'file', '--models-dir': 'dir', '--path': 'dir',
  '--media-path': 'dir',
};

function canonicalKey(flags) {
  return flags.find((f) => f.startsWith('--')) ?? flags[0];
}

function typedDefault(a, key) {
  const text = a.default_text;
  if (a.type === 'flag') return false;
  if (text == null) return null;
  const d = a.default;
  if (a.type === 'bool') {
    if (/\bif\b/.test(text)) return null;
    if (/^(enabled|true|prefill enabled)\b/.test(text)) return true;
    if (/^(disabled|false)\b/.test(text)) return false;
    return null;
  }
  if (a.type === 'int' || a.type === 'float') {
    if (typeof d === 'number') return d;
    if (typeof d === 'string' && /^-?\d+(\.\d+)?$/.test(d)) return Number(d);
    if (a.special_values?.includes(d)) return d;
    return null;
  }
  if (a.type === 'enum') return a.allowed_values?.includes(d) ? d : null;
  if (a.type === 'string') {
    if (text === '""' || text === '') return '';
    if (/^(unused|none|disabled|default|no tools|same as|value from|template taken|read from)/.test(text)) return null;
    if (key === '--tools-runtime') return null;
    return typeof d === 'string' ? d : null;
  }
  return null;
}

function entry(a) {
  const key = canonicalKey(a.flags);
  const description = descriptions.get(key);
  if (!description) throw new Error(`no description for ${key}`);
  const e = {
    key,
    flags: a.flags,
    negated: a.negated_flags,
    type: a.type,
    valueHint: a.value_hint,
    env: a.env,
    default: typedDefault(a, key),
    defaultText: a.default_text,
    group: a.group,
    description,
  };
  if (a.allowed_values) e.values = a.allowed_values.map(String);
  if (a.special_values) e.specialValues = a.special_values;
  if (a.list_separator) e.listSeparator = a.list_separator;
  if (a.env_negated) e.envNegated = a.env_negated;
  const range = RANGES[key];
  if (range?.[0] != null) e.min = range[0];
  if (range?.[1] != null) e.max = range[1];
  if (SECRETS.has(key)) e.secret = true;
  if (a.deprecated) e.deprecated = true;
  if (REMOVED.has(key)) e.removed = true;
  if (MODEL_SOURCES.has(key) || PRESET_MODELS.test(key)) e.modelSource = true;
  if (PATHS[key]) e.path = PATHS[key];
  return e;
}

function presetEntry(p) {
  const description = descriptions.get(p.key);
  if (!description) throw new Error(`no description for ${p.key}`);
  const e = {
    key: p.key, flags: [], negated: [], type: p.type, valueHint: p.value_hint, env: null,
    default: null, defaultText: null, group: 'preset', description, presetOnly: true,
  };
  const range = RANGES[p.key];
  if (range?.[0] != null) e.min = range[0];
  if (p.key === 'load-on-startup') e.type = 'bool';
  if (p.key === 'dedup-cache-models') Object.assign(e, { type: 'enum', values: ['0', '1'] });
  return e;
}

const entries = [...src.args.map(entry), ...src.preset_only_keys.map(presetEntry)];
const tag = src.source.tag;
const out = `// GENERATED by scripts/params/gen-catalogue.mjs from tests/fixtures/llama-server/args.json
// (llama-server ${tag}) and scripts/params/descriptions.tsv. Edit those, then rerun the script.
import type { ArgSpec } from './types.ts';

export const BUILTIN_BUILD = ${JSON.stringify(tag)};

export const BUILTIN_ARGS: ArgSpec[] = [
${entries.map((e) => '  ' + JSON.stringify(e) + ',').join('\n')}
];
`;
writeFileSync(root + 'src/lib/params/catalogue-data.ts', out);
console.log(`wrote ${entries.length} entries for ${tag}`);
