import { parseBaseUrl } from '../src/lib/base-url';
import { DEFAULT_EXPORTER_PORT } from '../src/lib/host-snapshot';

/** Exporter settings: each flag has an environment variable; a flag wins over its variable. */
export interface ExporterOptions {
  port: number;
  host: string;
  intervalMs: number;
  /** Allowed page origins; ['*'] allows any; the default allows pages served from this machine. */
  corsOrigins: string[];
  token: string | null;
  diskPaths: string[];
  historyMs: number;
  /** Explicit nvidia-smi path, 'off' to skip NVIDIA, or null to search for it. */
  nvidiaSmi: string | null;
  /** Where the DRM class directory lives; only tests point it elsewhere. */
  sysfsRoot: string;
  /** llama-servers to watch (canonical base URLs). */
  llama: string[];
  /** Per server: a file holding its API key (read at start, so the key never shows in ps). */
  llamaKeyFiles: { url: string; path: string }[];
  /** Per server: its API key, from LLAMADASH_EXPORTER_LLAMA_KEYS. */
  llamaKeys: { url: string; key: string }[];
  llamaIntervalMs: number;
  llamaHistoryMs: number;
}

export const DEFAULT_PORT = DEFAULT_EXPORTER_PORT;

/** Loopback pages (npm start, vite dev/preview, llama-server --path) may read by default. */
export const LOOPBACK = 'loopback';

interface Spec {
  flag: string;
  env: string;
  arg: string;
  help: string;
  apply: (o: ExporterOptions, v: string) => void;
  /** Repeatable flags add to a list; the first flag replaces what the env variable gave. */
  reset?: (o: ExporterOptions) => void;
  /** Secrets: only the env variable is read, since a flag shows in ps. */
  envOnly?: boolean;
}

const DAY_MS = 24 * 3600_000;

const SPECS: Spec[] = [
  { flag: 'port', env: 'LLAMADASH_EXPORTER_PORT', arg: 'N', help: `TCP port to listen on (default ${DEFAULT_PORT})`,
    apply: (o, v) => (o.port = intIn(v, 0, 65535, 'port')) },
  { flag: 'host', env: 'LLAMADASH_EXPORTER_HOST', arg: 'ADDR', help: 'address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network: set a token)',
    apply: (o, v) => (o.host = v) },
  { flag: 'interval', env: 'LLAMADASH_EXPORTER_INTERVAL', arg: 'DUR', help: 'sampling period, e.g. 1s, 500ms, 2000 (ms; default 1s, at least 100ms)',
    apply: (o, v) => (o.intervalMs = Math.max(100, duration(v, 'interval'))) },
  { flag: 'cors', env: 'LLAMADASH_EXPORTER_CORS', arg: 'ORIGINS', help: 'comma-separated page origins allowed to read, "*" for any (default: loopback pages only)',
    apply: (o, v) => (o.corsOrigins = list(v).map((x) => x.replace(/\/+$/, ''))) },
  { flag: 'token', env: 'LLAMADASH_EXPORTER_TOKEN', arg: 'SECRET', help: 'require "Authorization: Bearer SECRET" (prefer the env variable: flags show in ps)',
    apply: (o, v) => (o.token = v === '' ? null : v) },
  { flag: 'disk', env: 'LLAMADASH_EXPORTER_DISKS', arg: 'PATHS', help: 'comma-separated paths whose filesystems to report (default / or the system drive); repeatable',
    apply: (o, v) => o.diskPaths.push(...list(v)), reset: (o) => (o.diskPaths = []) },
  { flag: 'history', env: 'LLAMADASH_EXPORTER_HISTORY', arg: 'DUR', help: 'how much host and GPU history /api/v1/history keeps, e.g. 1h, 30m (default 24h)',
    apply: (o, v) => (o.historyMs = Math.max(0, duration(v, 'history'))) },
  { flag: 'nvidia-smi', env: 'LLAMADASH_EXPORTER_NVIDIA_SMI', arg: 'PATH', help: 'nvidia-smi to run, or "off" (default: search PATH and the driver\'s install folders)',
    apply: (o, v) => (o.nvidiaSmi = v) },
  { flag: 'sysfs-root', env: 'LLAMADASH_EXPORTER_SYSFS_ROOT', arg: 'DIR', help: 'DRM class directory for AMD cards (default /sys/class/drm)',
    apply: (o, v) => (o.sysfsRoot = v) },
  { flag: 'llama', env: 'LLAMADASH_EXPORTER_LLAMA', arg: 'URL', help: 'a llama-server to watch, e.g. http://127.0.0.1:8080 (comma-separated; repeatable)',
    apply: (o, v) => o.llama.push(...list(v).map((u) => baseUrl(u, 'llama'))), reset: (o) => (o.llama = []) },
  { flag: 'llama-key-file', env: 'LLAMADASH_EXPORTER_LLAMA_KEY_FILES', arg: 'URL=PATH', help: 'file holding the API key of a watched server (repeatable; keeps the key out of ps)',
    apply: (o, v) => o.llamaKeyFiles.push(...list(v).map((p) => { const [url, path] = pair(p, 'llama-key-file', 'URL=PATH'); return { url, path }; })),
    reset: (o) => (o.llamaKeyFiles = []) },
  { flag: 'llama-keys', env: 'LLAMADASH_EXPORTER_LLAMA_KEYS', arg: 'URL=KEY', help: 'API keys of watched servers, comma-separated; env variable only', envOnly: true,
    apply: (o, v) => o.llamaKeys.push(...list(v).map((p) => { const [url, key] = pair(p, 'llama-keys', 'URL=KEY'); return { url, key }; })),
    reset: (o) => (o.llamaKeys = []) },
  { flag: 'llama-interval', env: 'LLAMADASH_EXPORTER_LLAMA_INTERVAL', arg: 'DUR', help: 'how often each watched llama-server is read (default 1s, at least 100ms)',
    apply: (o, v) => (o.llamaIntervalMs = Math.max(100, duration(v, 'llama-interval'))) },
  { flag: 'llama-history', env: 'LLAMADASH_EXPORTER_LLAMA_HISTORY', arg: 'DUR', help: 'how much history of each watched llama-server is kept (default 24h)',
    apply: (o, v) => (o.llamaHistoryMs = Math.max(0, duration(v, 'llama-history'))) },
];

function defaultOptions(platform: string, env: Record<string, string | undefined>): ExporterOptions {
  return {
    port: DEFAULT_PORT, host: '127.0.0.1', intervalMs: 1000, corsOrigins: [LOOPBACK], token: null,
    diskPaths: [platform === 'win32' ? `${env.SystemDrive ?? 'C:'}\\` : '/'],
    historyMs: DAY_MS, nvidiaSmi: null, sysfsRoot: '/sys/class/drm',
    llama: [], llamaKeyFiles: [], llamaKeys: [], llamaIntervalMs: 1000, llamaHistoryMs: DAY_MS,
  };
}

export type ParseResult =
  | { kind: 'run'; options: ExporterOptions }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

/** Reads env first, then argv (`--flag value` or `--flag=value`). */
export function parseOptions(argv: readonly string[], env: Record<string, string | undefined>, platform: string): ParseResult {
  const o = defaultOptions(platform, env);
  try {
    for (const s of SPECS) {
      const v = env[s.env];
      if (v === undefined || v === '') continue;
      s.reset?.(o);
      s.apply(o, v);
    }
    const flagged = new Set<Spec>();
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === '-h' || a === '--help') return { kind: 'help' };
      if (a === '-V' || a === '--version') return { kind: 'version' };
      const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(a);
      const spec = m && SPECS.find((s) => s.flag === m[1]);
      if (!m || !spec) return { kind: 'error', message: `unknown option "${a}" (see --help)` };
      if (spec.envOnly) return { kind: 'error', message: `--${spec.flag} would show the keys in ps: set ${spec.env} or use --llama-key-file URL=PATH` };
      let value = m[2];
      if (value === undefined) {
        if (i + 1 >= argv.length) return { kind: 'error', message: `--${spec.flag} needs a value (${spec.arg})` };
        value = argv[++i];
      }
      if (!flagged.has(spec)) spec.reset?.(o);
      flagged.add(spec);
      spec.apply(o, value);
    }
    checkLlama(o);
  } catch (e) {
    return { kind: 'error', message: (e as Error).message };
  }
  return { kind: 'run', options: o };
}

/** The --help text. */
export function helpText(version: string): string {
  const rows = SPECS.map((s) => {
    const left = s.envOnly ? `  (env) ${s.arg}` : `  --${s.flag} ${s.arg}`;
    return `${left.padEnd(26)}${s.help}\n${' '.repeat(26)}env ${s.env}`;
  });
  return [
    `llama-dash-exporter ${version}: GPU and host statistics for Llama Dashboard and Prometheus.`,
    '',
    'Usage: node llama-dash-exporter.mjs [options]',
    '',
    ...rows,
    `${'  -h, --help'.padEnd(26)}this text`,
    `${'  -V, --version'.padEnd(26)}print the version`,
    '',
    'Endpoints: GET /metrics (Prometheus text), /api/v1/snapshot, /api/v1/history?since=<ms>&until=<ms>&limit=<n>',
    '(add &llama=<url> for a watched llama-server\'s series), /healthz.',
    '',
  ].join('\n');
}

/** Keys must name a watched server: a key for an address not watched is a typo that would go unnoticed. */
function checkLlama(o: ExporterOptions): void {
  o.llama = [...new Set(o.llama)];
  for (const { url } of [...o.llamaKeyFiles, ...o.llamaKeys]) {
    if (!o.llama.includes(url)) throw new Error(`an API key is given for ${url}, which is not watched: add --llama ${url}`);
  }
}

function baseUrl(v: string, what: string): string {
  const r = parseBaseUrl(v, { assumeHttp: true });
  if (!r.ok) throw new Error(`--${what}: ${r.message}`);
  return r.url;
}

/** "URL=VALUE": split at the first "=" (a base URL has none; a path or key may). */
function pair(v: string, what: string, form: string): [string, string] {
  const at = v.indexOf('=');
  // The value may be a key: name only the part before "=", never the rest.
  if (at <= 0 || at === v.length - 1) throw new Error(`${what} takes ${form}; ${at <= 0 ? 'an entry has no URL before "="' : `the entry for ${v.slice(0, at)} is empty`}`);
  return [baseUrl(v.slice(0, at), what), v.slice(at + 1)];
}

function list(v: string): string[] {
  return v.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

function intIn(v: string, min: number, max: number, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${what} must be a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}

/** "1500", "1500ms", "2s", "5m", "1h" -> milliseconds. */
export function duration(v: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new Error(`${what} must be a duration like 500ms, 2s, 5m or 1h, got "${v}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000 }[m[2] ?? 'ms']!;
  return Math.round(Number(m[1]) * unit);
}
