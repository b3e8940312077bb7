/**
 * A ready prometheus.yml for the endpoints a user added, and a recording-rules file for the rates the
 * fleet page reads. Tokens never appear in the file: each job that needs one names a credentials file
 * (one line, the token), which the user writes next to it.
 * A router's /metrics answers 400 without ?model= and LOADS the model it names unless autoload=false,
 * so a router gets one job per model with both parameters and a `model` label.
 */

/** One endpoint to scrape. */
export interface ScrapeSource {
  kind: 'llama' | 'exporter';
  name: string;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  hasKey: boolean;
  /** Models of a router (llama-server without -m); null for a single-model server. */
  routerModels: string[] | null;
}

/** Settings of the generated file. */
export interface ConfigOptions {
  /** Seconds between scrapes (and rule evaluations). */
  scrapeIntervalS: number;
  /** Folder the credentials files live in, as Prometheus will see it. */
  credentialsDir: string;
  /** Name of the rules file, listed under rule_files. */
  rulesFile: string;
}

/** A generated job, and the credentials file it expects (null when it needs none). */
export interface GeneratedJob {
  job: string;
  credentialsFile: string | null;
  /** Which endpoint's key goes in that file. */
  source: ScrapeSource;
}

/** A YAML double-quoted scalar: JSON strings are valid YAML. */
const q = (s: string) => JSON.stringify(s);

/** A job name from free text: lower case, [a-z0-9_-] only. */
export function jobSlug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'endpoint';
}

function unique(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
  used.add(name);
  return name;
}

/** host:port (the target) and the rest of a base URL (scheme, path prefix). */
function splitUrl(url: string): { scheme: string; target: string; prefix: string } {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return { scheme: u.protocol.replace(':', ''), target: `${u.hostname}:${port}`, prefix: u.pathname.replace(/\/+$/, '') };
}

/** The jobs a set of endpoints becomes (names unique, in the order given). */
export function planJobs(sources: ScrapeSource[], o: Pick<ConfigOptions, 'credentialsDir'>): (GeneratedJob & { model: string | null })[] {
  const used = new Set<string>();
  const out: (GeneratedJob & { model: string | null })[] = [];
  for (const s of sources) {
    const base = `${s.kind === 'exporter' ? 'exporter' : 'llama'}-${jobSlug(s.name)}`;
    const models = s.kind === 'llama' && s.routerModels ? s.routerModels : [null];
    for (const model of models) {
      const job = unique(model === null ? base : `${base}-${jobSlug(model)}`, used);
      const credentialsFile = s.hasKey ? `${o.credentialsDir.replace(/\/+$/, '')}/${job}.token` : null;
      out.push({ job, credentialsFile, source: s, model });
    }
  }
  return out;
}

/** prometheus.yml scraping `sources`; the credentials files it names are listed by planJobs. */
export function prometheusYml(sources: ScrapeSource[], o: ConfigOptions): string {
  const lines = [
    '# Written by Llama Dashboard. Tokens are read from the credentials files named below (one line each):',
    '# create them next to this file, readable only by Prometheus.',
    'global:',
    `  scrape_interval: ${o.scrapeIntervalS}s`,
    `  scrape_timeout: ${Math.max(1, Math.min(o.scrapeIntervalS, 10))}s`,
    `  evaluation_interval: ${o.scrapeIntervalS}s`,
    'rule_files:',
    `  - ${q(o.rulesFile)}`,
    'scrape_configs:',
  ];
  const jobs = planJobs(sources, o);
  if (jobs.length === 0) lines.push('  []');
  for (const j of jobs) {
    const { scheme, target, prefix } = splitUrl(j.source.url);
    lines.push(`  - job_name: ${q(j.job)}`, `    scheme: ${scheme}`, `    metrics_path: ${q(`${prefix}/metrics`)}`);
    if (j.model !== null) {
      lines.push('    params:', `      model: [${q(j.model)}]`, "      autoload: ['false']");
    }
    if (j.credentialsFile) {
      lines.push('    authorization:', '      type: Bearer', `      credentials_file: ${q(j.credentialsFile)}`);
    }
    lines.push('    static_configs:', `      - targets: [${q(target)}]`, '        labels:', `          endpoint: ${q(j.source.name)}`);
    if (j.model !== null) lines.push(`          model: ${q(j.model)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The recorded series: name and expression, the rates the fleet page draws. */
export const RECORDING_RULES: readonly { record: string; expr: string }[] = [
  { record: 'llamadash:prompt_tokens:rate1m', expr: 'sum by (job, instance, model) (rate(llamacpp:prompt_tokens_total[1m]))' },
  { record: 'llamadash:generated_tokens:rate1m', expr: 'sum by (job, instance, model) (rate(llamacpp:tokens_predicted_total[1m]))' },
  { record: 'llamadash:decode_calls:rate1m', expr: 'sum by (job, instance, model) (rate(llamacpp:n_decode_total[1m]))' },
  { record: 'llamadash:gpu_utilization:avg', expr: 'avg by (job, instance) (llamadash_gpu_utilization_ratio)' },
  { record: 'llamadash:gpu_memory_used_bytes:sum', expr: 'sum by (job, instance) (llamadash_gpu_memory_used_bytes)' },
  { record: 'llamadash:cpu_busy:rate1m', expr: '1 - avg by (job, instance) (rate(node_cpu_seconds_total{mode="idle"}[1m]))' },
];

/** The rules file prometheus.yml names. */
export function recordingRulesYml(): string {
  const lines = ['# Written by Llama Dashboard: the rates its fleet page reads, precomputed.', 'groups:', '  - name: llamadash', '    rules:'];
  for (const r of RECORDING_RULES) lines.push(`      - record: ${r.record}`, `        expr: ${q(r.expr)}`);
  return `${lines.join('\n')}\n`;
}
