import { findArg, getArg, getCatalogue, matchAcross } from './catalogue';
import { effectiveValue } from './defaults';
import type { ArgSpec, ArgValue, Catalogue, ConfigArgs, ConfigIssue, IssueFix } from './types';
import { validateValue } from './validate-value';

export interface ValidateOptions {
  /** Catalogue the configuration's keys come from (default: the built-in one). */
  from?: Catalogue;
}

type Replacement = (value: ArgValue) => { label: string; set?: ConfigArgs; remove?: boolean } | null;

/** What replaces arguments that builds deprecate or drop (keys of the built-in catalogue). */
const REPLACEMENTS: Record<string, Replacement> = {
  '--direct-io': (v) => (v === false ? { label: 'remove it (off is the default)', remove: true } : { label: 'use --load-mode dio', set: { '--load-mode': 'dio' }, remove: true }),
  '--mlock': (v) => (v === false ? { label: 'remove it', remove: true } : { label: 'use --load-mode mmap+mlock', set: { '--load-mode': 'mmap+mlock' }, remove: true }),
  '--mmap': (v) => ({ label: `use --load-mode ${v === false ? 'none' : 'mmap'}`, set: { '--load-mode': v === false ? 'none' : 'mmap' }, remove: true }),
  '--defrag-thold': () => ({ label: 'remove it (no longer used)', remove: true }),
  '--draft': (v) => ({ label: 'use --spec-draft-n-max', set: { '--spec-draft-n-max': v }, remove: true }),
  '--draft-min': (v) => ({ label: 'use --spec-draft-n-min', set: { '--spec-draft-n-min': v }, remove: true }),
  '--spec-ngram-size-n': () => ({ label: 'remove it', remove: true }),
  '--spec-ngram-size-m': () => ({ label: 'remove it', remove: true }),
  '--spec-ngram-min-hits': () => ({ label: 'remove it', remove: true }),
};

/** A replacement fix for `key`, when the target catalogue has what it needs. */
function replacementFix(key: string, canonical: string, value: ArgValue, target: Catalogue): IssueFix | undefined {
  const r = REPLACEMENTS[canonical]?.(value);
  if (!r) return undefined;
  if (r.set && !Object.keys(r.set).every((k) => findArg(target, k))) return undefined;
  return { label: r.label, ...(r.set ? { set: r.set } : {}), ...(r.remove ? { remove: [key] } : {}) };
}

const ROUTER_ONLY = ['--models-max', '--models-autoload'];
/** llama-server gives -m a second meaning next to these sources (common_params_handle_model). */
const MODEL_PATH_MEANING: Record<string, string> = {
  '--hf-repo': 'with --hf-repo, -m names the file to take from the repository (like --hf-file), not a local file',
  '--model-url': 'with --model-url, -m is where the download is saved',
};
/** Arguments that print something and exit instead of serving. */
const EXITS = ['--help', '--version', '--cache-list', '--completion-bash', '--list-devices'];
const DRAFT_MODEL = ['--spec-draft-model', '--spec-draft-hf'];
const NEEDS_DRAFT_MODEL_TYPE = /^draft-(simple|eagle3|dflash|dspark)$/;

/**
 * Checks a configuration against the catalogue of the build it is meant for: each value (type,
 * range, allowed values), arguments that build renamed, deprecated or does not have, and rules
 * across arguments (one model source, batch sizes, draft model, SSL pair, ...). Issues carry a fix
 * the UI can apply where one is clear.
 */
export function validateConfig(
  config: { args: ConfigArgs; extraArgs?: string[] },
  catalogue: Catalogue = getCatalogue(),
  opts: ValidateOptions = {},
): ConfigIssue[] {
  const from = opts.from ?? getCatalogue();
  const build = catalogue.build ?? 'this build';
  const issues: ConfigIssue[] = [];
  const eff: ConfigArgs = {};
  for (const [key, raw] of Object.entries(config.args)) {
    const direct = getArg(catalogue, key);
    const m = direct ? { spec: direct, negated: false } : matchAcross(catalogue, key, from);
    const origin = getArg(from, key) ?? findArg(from, key)?.spec;
    if (!m) {
      const fix = origin ? replacementFix(key, origin.key, raw, catalogue) : undefined;
      issues.push({
        key, level: 'error',
        message: `${build} has no ${key}`,
        fix: fix ?? { label: 'keep it as an extra argument', remove: [key], appendExtra: raw === true || raw === null ? [key] : [key, String(raw)] },
      });
      continue;
    }
    const spec = m.spec;
    let value = raw;
    if (m.negated && typeof raw === 'boolean') value = !raw;
    if (spec.key !== key) {
      issues.push({
        key, level: 'warning', message: `${key} is called ${spec.key}${m.negated ? ' (negated)' : ''} in ${build}`,
        fix: { label: `rename to ${spec.key}`, remove: [key], set: { [spec.key]: value } },
      });
    }
    if (spec.removed || spec.deprecated) {
      issues.push({
        key, level: spec.removed ? 'error' : 'warning',
        message: spec.removed ? `${build} no longer accepts ${key}` : `${key} is deprecated in ${build}`,
        ...withFix(replacementFix(key, spec.key, value, catalogue)),
      });
    }
    if (spec.presetOnly) continue;
    issues.push(...validateValue(spec, key, value));
    eff[spec.key] = value;
  }
  for (const word of config.extraArgs ?? []) {
    if (word.includes('\0')) issues.push({ key: '', level: 'error', message: 'an extra argument contains a NUL character' });
    else if (word.startsWith('-') && findArg(catalogue, word)) {
      issues.push({ key: '', level: 'warning', message: `extra argument ${word} is a known llama-server argument; set it in the form instead` });
    }
  }
  issues.push(...crossRules(eff, catalogue));
  return issues;
}

function withFix(fix: IssueFix | undefined): { fix?: IssueFix } {
  return fix ? { fix } : {};
}

function given(v: ArgValue | undefined): boolean {
  return v !== undefined && v !== false && v !== null && v !== '';
}

/** Rules that involve several arguments; `eff` is keyed by the target catalogue's keys. */
function crossRules(eff: ConfigArgs, cat: Catalogue): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const k of EXITS) {
    if (eff[k] === true) issues.push({ key: k, level: 'warning', message: 'prints information and exits: the server does not start', fix: { label: `remove ${k}`, remove: [k] } });
  }
  const sources = cat.args.filter((a: ArgSpec) => a.modelSource && given(eff[a.key])).map((a) => a.key);
  const router = given(eff['--models-dir']) || given(eff['--models-preset']);
  const remote = sources.filter((k) => k !== '--model');
  const withPath = MODEL_PATH_MEANING[remote[0]];
  if (remote.length === 1 && sources.length === 2 && withPath) {
    issues.push({ key: '--model', level: 'warning', message: withPath });
  } else if (sources.length > 1) {
    issues.push({ key: sources[1], level: 'error', message: `choose one model source; ${sources.join(' and ')} are both set` });
  } else if (sources.length === 0 && !router) {
    issues.push({ key: '--model', level: 'error', message: 'no model: set -m, -hf, -mu or -dr (or --models-dir / --models-preset for a router)' });
  }
  if (sources.length > 0 && router) {
    issues.push({ key: '--models-dir', level: 'warning', message: 'a router (--models-dir / --models-preset) serves many models; a single model source is not used with it' });
  }
  if (!router) {
    for (const k of ROUTER_ONLY) if (k in eff) issues.push({ key: k, level: 'warning', message: 'only has an effect in router mode (--models-dir / --models-preset)' });
  }
  const ub = Number(effectiveValue(eff, '--ubatch-size', cat));
  const b = Number(effectiveValue(eff, '--batch-size', cat));
  if (Number.isFinite(ub) && Number.isFinite(b) && ub > b) {
    const key = '--ubatch-size' in eff ? '--ubatch-size' : '--batch-size';
    issues.push({ key, level: 'error', message: `--ubatch-size (${ub}) must not exceed --batch-size (${b})`, fix: { label: `set --ubatch-size ${b}`, set: { '--ubatch-size': b } } });
  }
  const hasDraft = DRAFT_MODEL.some((k) => given(eff[k]));
  if (!hasDraft) {
    const types = String(eff['--spec-type'] ?? '').split(',');
    const needing = types.find((t) => NEEDS_DRAFT_MODEL_TYPE.test(t));
    if (needing) issues.push({ key: '--spec-type', level: 'error', message: `${needing} needs a draft model (--spec-draft-model or --spec-draft-hf)` });
    for (const k of Object.keys(eff)) {
      if (k.startsWith('--spec-draft-') && !DRAFT_MODEL.includes(k) && !/-(n-max|n-min|p-split|p-min)$/.test(k)) {
        issues.push({ key: k, level: 'error', message: 'is a draft-model setting, but no draft model is set (--spec-draft-model or --spec-draft-hf)' });
      }
    }
  }
  const sslKey = given(eff['--ssl-key-file']);
  const sslCert = given(eff['--ssl-cert-file']);
  if (sslKey !== sslCert) {
    issues.push({ key: sslKey ? '--ssl-cert-file' : '--ssl-key-file', level: 'error', message: 'HTTPS needs both --ssl-key-file and --ssl-cert-file' });
  }
  if (Number(eff['--port']) === 0 && '--port' in eff) {
    issues.push({ key: '--port', level: 'warning', message: 'port 0 lets the system pick a free port; clients will not know where to connect' });
  }
  const host = String(eff['--host'] ?? '');
  if ((host === '0.0.0.0' || host === '::') && !given(eff['--api-key']) && !given(eff['--api-key-file'])) {
    issues.push({ key: '--host', level: 'warning', message: 'listening on every network interface without --api-key: anyone on the network can use the server' });
  }
  if (given(eff['--api-key']) && given(eff['--api-key-file'])) {
    issues.push({ key: '--api-key-file', level: 'warning', message: 'both --api-key and --api-key-file are set' });
  }
  if (given(eff['--hf-file']) && !given(eff['--hf-repo'])) {
    issues.push({ key: '--hf-file', level: 'warning', message: 'only used together with --hf-repo' });
  }
  return issues;
}
