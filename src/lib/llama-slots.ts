/** Reading llama-server's GET /slots and the live generation speed it allows. Pure. */

import { MAX_SLOTS } from './limits';

export interface SlotInfo {
  id: number;
  nCtx: number | null;
  isProcessing: boolean;
  /** Task the slot runs or last ran; null before its first task. */
  idTask: number | null;
  nPromptTokens: number | null;
  /** next_token[0].n_decoded (an array in current builds; an object in older ones). */
  nDecoded: number | null;
  /** Prompt tokens evaluated so far for the current task (cache hits excluded); 0 on an idle slot. */
  nPromptProcessed?: number | null;
  /** Prompt tokens the current task reused from the slot's cache. */
  nPromptCache?: number | null;
  /** The slot drafts tokens (speculative decoding). */
  speculative?: boolean;
}

export interface SlotsReading {
  ts: number;
  slots: SlotInfo[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Parses a /slots body; null when it is not a list of slots (say so, don't guess). Only the first
 * MAX_SLOTS are read: each slot becomes four stored series.
 */
export function parseSlots(body: unknown): SlotInfo[] | null {
  if (!Array.isArray(body)) return null;
  const out: SlotInfo[] = [];
  for (const raw of body.slice(0, MAX_SLOTS)) {
    if (!raw || typeof raw !== 'object') return null;
    const s = raw as Record<string, unknown>;
    const id = num(s.id);
    if (id === null) return null;
    const next = Array.isArray(s.next_token) ? s.next_token[0] : s.next_token;
    out.push({
      id,
      nCtx: num(s.n_ctx),
      isProcessing: s.is_processing === true,
      idTask: num(s.id_task),
      nPromptTokens: num(s.n_prompt_tokens),
      nDecoded: next && typeof next === 'object' ? num((next as Record<string, unknown>).n_decoded) : null,
      nPromptProcessed: num(s.n_prompt_tokens_processed),
      nPromptCache: num(s.n_prompt_tokens_cache),
      speculative: s.speculative === true,
    });
  }
  return out;
}

/** Context fill 0..1 of a slot: prompt plus generated tokens over its context size. */
export function slotContextFill(s: SlotInfo): number | null {
  if (!s.nCtx || s.nPromptTokens === null) return null;
  return Math.min(1, (s.nPromptTokens + (s.nDecoded ?? 0)) / s.nCtx);
}

export interface LiveSpeed {
  /** Per slot id: tokens/s of its current task, null when unknown (first sight of the task). */
  perSlot: Map<number, number | null>;
  /** Sum over busy slots with a known speed; 0 when none is busy; null when busy but all unknown. */
  total: number | null;
}

/**
 * Generation speed while requests run: growth of n_decoded of the same task on the same slot between two
 * readings. A task seen for the first time has no speed yet (its start time is unknown).
 */
export function liveSpeed(prev: SlotsReading | null, cur: SlotsReading): LiveSpeed {
  const perSlot = new Map<number, number | null>();
  const dt = prev ? (cur.ts - prev.ts) / 1000 : 0;
  let total: number | null = 0;
  let busy = 0;
  let known = 0;
  for (const s of cur.slots) {
    if (!s.isProcessing) continue;
    busy++;
    const p = prev?.slots.find((x) => x.id === s.id);
    let speed: number | null = null;
    if (p && dt > 0 && p.idTask !== null && p.idTask === s.idTask && p.nDecoded !== null && s.nDecoded !== null) {
      speed = Math.max(0, s.nDecoded - p.nDecoded) / dt;
      known++;
      total = (total ?? 0) + speed;
    }
    perSlot.set(s.id, speed);
  }
  if (busy > 0 && known === 0) total = null;
  return { perSlot, total };
}

/** Tasks that were running on a slot in `prev` and are gone or replaced in `cur`: finished requests. */
export function finishedTasks(prev: SlotsReading | null, cur: SlotsReading): number {
  if (!prev) return 0;
  let n = 0;
  for (const p of prev.slots) {
    if (!p.isProcessing || p.idTask === null) continue;
    const s = cur.slots.find((x) => x.id === p.id);
    if (!s || s.idTask !== p.idTask || !s.isProcessing) n++;
  }
  return n;
}
