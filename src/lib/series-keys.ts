/**
 * Series keys written by the llama-server collector (one place, so charts and cards use the same names).
 * A key is a Prometheus-style name with optional labels, labels sorted by name:
 * `gen_tps`, `slot_ctx_fill{slot="0"}`, `llamacpp:prompt_tokens_total{model="tiny"}`,
 * `slot_ctx_fill{model="tiny",slot="1"}`. In router mode every per-model series carries `model="<id>"`.
 *
 * Derived by the collector (null = unknown for that tick, never a made-up 0):
 * - `up`                 1 when /health answered (200 or 503 loading), 0 when down or refused.
 * - `health_state`       HEALTH code below.
 * - `prompt_tps`         prompt processing speed: Δprompt_tokens_total / Δprompt_seconds_total (tokens per
 *                        second of processing time). Null when no prompt work finished in the tick.
 * - `gen_tps`            generation speed of the requests that finished in the tick:
 *                        Δtokens_predicted_total / Δtokens_predicted_seconds_total.
 * - `gen_tps_live`       generation speed now, from /slots: Σ over busy slots of Δn_decoded / Δt. 0 when
 *                        nothing is processing; null when slots are busy but no two readings of the same
 *                        task exist yet. This is what moves during a long generation (the counters don't).
 * - `prompt_tokens_rate` Δprompt_tokens_total / Δt (wall clock): load on the server, counted at request end.
 * - `gen_tokens_rate`    Δtokens_predicted_total / Δt (wall clock).
 * - `requests_finished`  requests seen finishing in the tick (lower bound, see requests_per_min).
 * - `requests_per_min`   requests_finished summed over the last 60 s. llama-server has no request counter
 *                        (id_task also counts its own /metrics and /slots tasks), so a request is counted
 *                        when a busy slot's task is gone or replaced, when requests_processing drops, or,
 *                        for requests that started and ended between two polls, once per tick in which the
 *                        token counters moved. Several such short requests in one tick count as one.
 * - `slots_busy`         busy slots: from /slots when it was read, else requests_processing.
 * - `slots_total`        total_slots from /props.
 * - `uptime_s`           seconds since the collector first saw this server process: reset when a counter
 *                        goes down (restart). A server that was already running when the dashboard opened
 *                        shows the time since then, a lower bound (llama-server does not expose its start time
 *                        to a browser).
 * - `slot_busy{slot}`      1/0 is_processing.
 * - `slot_ctx_fill{slot}`  (n_prompt_tokens + n_decoded) / n_ctx, 0..1.
 * - `slot_decoded{slot}`   next_token[0].n_decoded of the slot's current (or last) task.
 * - `slot_gen_tps{slot}`   Δn_decoded / Δt of the same task.
 * - `model_state{model}`   router only: MODEL_STATE code below.
 * Every numeric sample of /metrics is also stored under its own key, e.g. `llamacpp:prompt_tokens_total`,
 * `llamacpp:prompt_tokens_cached_total`, `llamacpp:requests_processing`, `llamacpp:requests_deferred`,
 * `llamacpp:n_busy_slots_per_decode`, `llamacpp:n_tokens_max`, and any metric a newer build adds.
 * Do not chart `llamacpp:prompt_tokens_seconds` / `llamacpp:predicted_tokens_seconds` as throughput: each
 * read of /metrics restarts the window they average over.
 */

export const KEYS = {
  up: 'up',
  health: 'health_state',
  promptTps: 'prompt_tps',
  genTps: 'gen_tps',
  genTpsLive: 'gen_tps_live',
  promptTokensRate: 'prompt_tokens_rate',
  genTokensRate: 'gen_tokens_rate',
  requestsFinished: 'requests_finished',
  requestsPerMin: 'requests_per_min',
  slotsBusy: 'slots_busy',
  slotsTotal: 'slots_total',
  uptime: 'uptime_s',
  slotBusy: 'slot_busy',
  slotCtxFill: 'slot_ctx_fill',
  slotDecoded: 'slot_decoded',
  slotGenTps: 'slot_gen_tps',
  modelState: 'model_state',
  promptTokensTotal: 'llamacpp:prompt_tokens_total',
  promptTokensCachedTotal: 'llamacpp:prompt_tokens_cached_total',
  promptSecondsTotal: 'llamacpp:prompt_seconds_total',
  tokensPredictedTotal: 'llamacpp:tokens_predicted_total',
  tokensPredictedSecondsTotal: 'llamacpp:tokens_predicted_seconds_total',
  requestsProcessing: 'llamacpp:requests_processing',
  requestsDeferred: 'llamacpp:requests_deferred',
} as const;

/** `health_state` values: ordered so a step chart reads "higher is worse" apart from ok/busy. */
export const HEALTH = { down: 0, ok: 1, busy: 2, sleeping: 3, loading: 4, error: 5 } as const;

/** `model_state{model}` values (router mode). */
export const MODEL_STATE = { unloaded: 0, loaded: 1, sleeping: 2, loading: 3, downloading: 4, failed: 5 } as const;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Builds a series key; labels are sorted so the same series always gets the same key. */
export function seriesKey(name: string, labels?: Record<string, string> | null): string {
  const names = labels ? Object.keys(labels).sort() : [];
  if (names.length === 0) return name;
  return `${name}{${names.map((k) => `${k}="${escapeLabel(labels![k])}"`).join(',')}}`;
}

/** Adds labels (e.g. `{model}` in router mode) to a key that may already carry some. */
export function withLabels(key: string, extra: Record<string, string>): string {
  const { name, labels } = parseSeriesKey(key);
  return seriesKey(name, { ...labels, ...extra });
}

/** Splits a key made by seriesKey back into name and labels. */
export function parseSeriesKey(key: string): { name: string; labels: Record<string, string> } {
  const open = key.indexOf('{');
  if (open < 0 || !key.endsWith('}')) return { name: key, labels: {} };
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const m of key.slice(open + 1, -1).matchAll(re)) {
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return { name: key.slice(0, open), labels };
}
