/** The Requests view's CSV: one line per request, spreadsheet-safe (lib/csv.ts). Pure. */
import { toCsv, type CsvCell } from './csv';

/** The header, fixed: scripts that read the file depend on it. */
export const REQUEST_CSV_HEADER = [
  'start', 'endpoint', 'model', 'slot', 'prompt_tokens', 'cached_tokens', 'generated_tokens', 'queue_ms', 'ttft_ms',
  'prefill_tps', 'decode_tps', 'duration_ms', 'outcome',
] as const;

/** The fields of a request the CSV needs; `endpoint` is the endpoint's name. */
export interface RequestCsvRow {
  start: number | null;
  /** For a request seen only in the counters: when it ended (its start is unknown). */
  ts: number;
  endpoint: string;
  model: string;
  slot: number | null;
  promptTokens: number | null;
  cachedTokens: number | null;
  generatedTokens: number | null;
  queueMs: number | null;
  ttftMs: number | null;
  prefillTps: number | null;
  decodeTps: number | null;
  durationMs: number | null;
  outcome: string;
}

const ms = (v: number | null) => (v === null ? null : Math.round(v));
const tps = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

/** Times in ms since the epoch, durations in ms, speeds in tokens/s; empty where unknown. */
export function requestsCsv(rows: readonly RequestCsvRow[]): string {
  return toCsv(REQUEST_CSV_HEADER, rows.map((r): CsvCell[] => [
    ms(r.start), r.endpoint, r.model, r.slot, r.promptTokens, r.cachedTokens, r.generatedTokens, ms(r.queueMs), ms(r.ttftMs),
    tps(r.prefillTps), tps(r.decodeTps), ms(r.durationMs), r.outcome,
  ]));
}
