/** One metric family in the Prometheus text exposition format (version 0.0.4). */
export interface PromFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: PromSample[];
}

export interface PromSample {
  labels?: Record<string, string>;
  /** null = unknown: the sample is left out (absent), never written as 0. */
  value: number | null;
}

/** The Content-Type Prometheus expects for this format. */
export const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Writes families as exposition text. Unknown samples are omitted and a family left without
 * samples is dropped entirely, so a scrape never invents zeros for a missing reading.
 */
export function writeProm(families: readonly PromFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    const samples = f.samples.filter((s) => s.value !== null);
    if (samples.length === 0) continue;
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of samples) out.push(`${f.name}${formatLabels(s.labels)} ${formatValue(s.value!)}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function formatLabels(labels: Record<string, string> | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
