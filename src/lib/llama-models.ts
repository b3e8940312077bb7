/** Reading a llama-server router's GET /models and GET /models/sse. Pure. */

/** Where a router's model stands, as /models and /models/sse say (anything unknown reads as failed). */
export type RouterModelState = 'unloaded' | 'loading' | 'loaded' | 'sleeping' | 'failed' | 'downloading';

/** One model a router lists. */
export interface RouterModel {
  id: string;
  state: RouterModelState;
  /** 0..1 while loading or downloading, when the server says. */
  progress: number | null;
}

import { clipText, MAX_MODELS } from './limits';

const STATES: ReadonlySet<string> = new Set(['unloaded', 'loading', 'loaded', 'sleeping', 'failed', 'downloading']);

function toState(value: unknown, failed: unknown, exitCode: unknown): RouterModelState {
  if (failed === true) return 'failed';
  if (value === 'unloaded' && typeof exitCode === 'number' && exitCode !== 0) return 'failed';
  return typeof value === 'string' && STATES.has(value) ? (value as RouterModelState) : 'failed';
}

/**
 * Parses a router's /models list (entries with `status.value`). Null when the body is not that shape:
 * a single-model server's /models has no `status`, which is how a router is told apart. Reads at most
 * MAX_MODELS entries.
 */
export function parseRouterModels(body: unknown): RouterModel[] | null {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0) return null;
  const out: RouterModel[] = [];
  for (const m of data.slice(0, MAX_MODELS)) {
    const entry = m as { id?: unknown; status?: { value?: unknown; failed?: unknown; exit_code?: unknown } };
    if (typeof entry?.id !== 'string' || !entry.status || typeof entry.status !== 'object') return null;
    out.push({ id: clipText(entry.id), state: toState(entry.status.value, entry.status.failed, entry.status.exit_code), progress: null });
  }
  return out;
}

export type ModelsSseEvent =
  | { kind: 'status'; model: string; state: RouterModelState; progress: number | null }
  | { kind: 'reload' };

/**
 * Parses one `data:` payload of /models/sse, e.g.
 * `{"model":"tiny","event":"status_change","data":{"status":"loading","progress":{"value":0.5}}}`.
 * Null for anything it does not understand (kept out rather than guessed).
 */
export function parseModelsSseData(payload: string): ModelsSseEvent | null {
  let ev: { model?: unknown; event?: unknown; data?: Record<string, unknown> };
  try {
    ev = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!ev || typeof ev !== 'object') return null;
  if (ev.event === 'models_reload') return { kind: 'reload' };
  if ((ev.event !== 'status_change' && ev.event !== 'model_status') || typeof ev.model !== 'string') return null;
  const d = ev.data ?? {};
  const progress = (d.progress as { value?: unknown } | undefined)?.value;
  return {
    kind: 'status',
    model: ev.model,
    state: toState(d.status, d.failed, d.exit_code),
    progress: typeof progress === 'number' && Number.isFinite(progress) ? Math.min(1, Math.max(0, progress)) : null,
  };
}

/** Splits an SSE stream chunk buffer into complete `data:` payloads and the unfinished rest. */
export function splitSse(buffer: string): { payloads: string[]; rest: string } {
  const normalized = buffer.replace(/\r\n/g, '\n');
  const blocks = normalized.split('\n\n');
  const rest = blocks.pop() ?? '';
  const payloads: string[] = [];
  for (const block of blocks) {
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data) payloads.push(data);
  }
  return { payloads, rest };
}

/** True once a model has stopped moving: the end of a load or unload. */
export function isSettled(state: RouterModelState): boolean {
  return state !== 'loading' && state !== 'downloading';
}
