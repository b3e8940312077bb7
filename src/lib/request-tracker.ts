/**
 * Per-request records from what llama-server already exposes: /slots seen at each poll and the /metrics
 * counters. Pure: feed it observations in time order, read request records back.
 *
 * What a poll can and cannot see (measured on real captures in tests/fixtures/llama-server/timeline):
 * - a slot's task appears with is_processing, its n_prompt_tokens_processed grows batch by batch during
 *   prefill, then next_token[0].n_decoded grows; an idle slot keeps its task id and resets n_decoded to 0;
 * - prompt counters move during or at the end of prefill; generation counters move only when a request ends,
 *   so a tick in which exactly one request ended gives its generated tokens and generation time exactly;
 * - a request waiting for a slot shows only as requests_deferred; a cancelled request ends like any other.
 * Times are estimated from the observations around them: start and first token are known to about one
 * poll interval, which each record carries (`precisionMs`).
 */

import type { SlotInfo } from './llama-slots';
import { KEYS } from './series-keys';
import type { PromParseResult } from './prometheus';

/** The /metrics values the tracker needs. */
export interface RequestCounters {
  promptTokens: number;
  promptSeconds: number;
  predictedTokens: number;
  predictedSeconds: number;
  processing: number;
  deferred: number;
  /** spec_decode_num_accepted_tokens_total; null when the server does not report it. */
  draftsAccepted: number | null;
}

/** One poll: either part may be missing (/slots is read only while requests run). */
export interface RequestObservation {
  ts: number;
  slots: SlotInfo[] | null;
  counters: RequestCounters | null;
}

/** One request as the dashboard saw it. Times in ms since the epoch, durations in ms, speeds in tokens/s. */
export interface RequestRecord {
  /** Stable while the request runs and after (slot, task and when it was first seen). */
  key: string;
  slot: number | null;
  start: number | null;
  firstToken: number | null;
  end: number | null;
  promptTokens: number | null;
  cachedTokens: number | null;
  generatedTokens: number | null;
  queueMs: number | null;
  ttftMs: number | null;
  prefillTps: number | null;
  decodeTps: number | null;
  durationMs: number | null;
  outcome: 'running' | 'ended';
  /** Start and first token are known to ± this (the poll interval around them); null: it was running at the first poll. */
  precisionMs: number | null;
  /** Which figures come from the counters of a tick in which this request alone moved them. */
  exactTokens: boolean;
  exactPrefill: boolean;
  exactDecode: boolean;
  /** 'counters': finished between two polls, seen only as counters moving. */
  source: 'slots' | 'counters';
  /** Drafts accepted while it ran (speculative decoding); null when the server reports no drafts. */
  speculative: boolean | null;
}

/** The counters and gauges of a parsed /metrics; null when it has no llama-server counters. */
export function requestCounters(m: PromParseResult | null): RequestCounters | null {
  if (!m) return null;
  const v = (name: string) => m.samples.find((s) => s.name === name)?.value ?? null;
  const pt = v(KEYS.promptTokensTotal);
  const gt = v(KEYS.tokensPredictedTotal);
  if (pt === null || gt === null) return null;
  return {
    promptTokens: pt,
    promptSeconds: v(KEYS.promptSecondsTotal) ?? 0,
    predictedTokens: gt,
    predictedSeconds: v(KEYS.tokensPredictedSecondsTotal) ?? 0,
    processing: v(KEYS.requestsProcessing) ?? 0,
    deferred: v(KEYS.requestsDeferred) ?? 0,
    draftsAccepted: v('llamacpp:spec_decode_num_accepted_tokens_total'),
  };
}

interface Live {
  key: string;
  slot: number;
  task: number;
  /** Last observation before it showed up, and when it did. */
  before: number;
  firstSeen: number;
  queuedAt: number | null;
  queuedPrecision: number;
  /** Prefill progress seen (n_decoded still 0). */
  prefill: [number, number][];
  /** First and last observation with tokens generated. */
  decodeFirst: [number, number] | null;
  decodeLast: [number, number] | null;
  decodePrev: [number, number] | null;
  lastBusy: number;
  endSeen: number | null;
  processed: number;
  cached: number | null;
  promptAttrTokens: number;
  promptAttrSeconds: number;
  /** Prompt tokens processed as of the last counters read. */
  promptMark: number;
  promptShared: boolean;
  exactGen: [number, number] | null;
  /** Tokens generated after the last observation, from the counters of a tick in which several ended. */
  genExtra: number;
  /** Its end was seen before the counters had it: settled by the next counters read. */
  deferred: boolean;
  accepted0: number | null;
  accepted1: number | null;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Follows the requests of one llama-server (or one model of a router). */
export class RequestTracker {
  #prevTs = -Infinity;
  #countersTs = -Infinity;
  #counters: RequestCounters | null = null;
  /** Draft tokens accepted as of the last counters read. */
  #accepted: number | null = null;
  /** Requests that ended, and ones that started, since the counters were last read. */
  #awaiting: Live[] = [];
  #started: Live[] = [];
  #lives = new Map<number, Live>();
  /** Arrival estimates of requests waiting for a slot, oldest first: [ts, ± ms]. */
  #queue: [number, number][] = [];
  #orphanPrompt: [number, number] = [0, 0];
  /** Generation counters held back while waiting for the requests they belong to (see observe). */
  #carry: [number, number] = [0, 0];

  /**
   * Takes one poll; returns the records that changed (running ones and those that ended). Polls may carry
   * /slots only (the fast reads while requests run): what ended then is settled with the counters of the
   * next poll that reads them.
   */
  observe(o: RequestObservation): RequestRecord[] {
    // Before the first poll nothing is known: a request already running then has no lower bound on its start.
    const prevTs = this.#prevTs;
    this.#prevTs = o.ts;
    const ended: Live[] = [];
    if (o.slots) {
      const busy = new Set<number>();
      for (const s of o.slots) {
        if (!s.isProcessing || s.idTask === null) continue;
        busy.add(s.id);
        let live = this.#lives.get(s.id);
        if (live && live.task !== s.idTask) {
          live.endSeen = o.ts;
          ended.push(live);
          live = undefined;
        }
        if (!live) {
          live = this.#start(s, prevTs, o.ts);
          this.#started.push(live);
          this.#lives.set(s.id, live);
        }
        this.#update(live, s, o.ts);
      }
      for (const [id, live] of this.#lives) if (!busy.has(id) && !ended.includes(live)) { live.endSeen = o.ts; ended.push(live); }
    } else if (o.counters && o.counters.processing === 0) {
      for (const live of this.#lives.values()) { live.endSeen = o.ts; ended.push(live); }
    }
    for (const l of ended) if (this.#lives.get(l.slot) === l) this.#lives.delete(l.slot);
    this.#awaiting.push(...ended);
    const out: RequestRecord[] = [];
    let settled: Live[] = ended;
    if (o.counters) {
      const prevCountersTs = this.#countersTs;
      this.#countersTs = o.ts;
      const delta = this.#delta(o.counters);
      settled = this.#awaiting;
      this.#awaiting = [];
      this.#dequeue(this.#started, o.counters.deferred);
      this.#started = [];
      for (let i = this.#queue.length; i < o.counters.deferred; i++) {
        this.#queue.push(Number.isFinite(prevCountersTs) ? [(prevCountersTs + o.ts) / 2, (o.ts - prevCountersTs) / 2] : [o.ts, Infinity]);
      }
      for (const l of [...this.#lives.values(), ...settled]) {
        l.accepted0 ??= this.#accepted;
        l.accepted1 = o.counters.draftsAccepted;
      }
      this.#accepted = o.counters.draftsAccepted;
      if (delta) this.#attributePrompt([...this.#lives.values(), ...settled], delta.promptTokens, delta.promptSeconds);
      for (const l of [...this.#lives.values(), ...settled]) l.promptMark = l.processed;
      if (delta) {
        const tokens = delta.predictedTokens + this.#carry[0];
        const seconds = delta.predictedSeconds + this.#carry[1];
        this.#carry = [0, 0];
        const seen = settled.reduce((n, l) => n + (l.decodeLast?.[1] ?? 0), 0);
        if (settled.length > 0 && tokens < seen && !settled.some((l) => l.deferred)) {
          // /slots (read after /metrics) saw them end after the counters were read: the next read has them.
          for (const l of settled) l.deferred = true;
          this.#awaiting.push(...settled);
          this.#carry = [tokens, seconds];
        } else {
          out.push(...this.#attributeGen(settled, tokens, seconds, prevCountersTs, o.ts));
        }
      }
    }
    for (const l of new Set([...ended, ...settled])) out.push(record(l, 'ended'));
    for (const l of this.#lives.values()) out.push(record(l, 'running'));
    return out;
  }

  /** Records of the requests running now. */
  running(): RequestRecord[] {
    return [...this.#lives.values()].map((l) => record(l, 'running'));
  }

  #delta(c: RequestCounters | null): RequestCounters | null {
    if (!c) return null;
    const p = this.#counters;
    this.#counters = c;
    // A counter going back is a restart: nothing before it can be attributed.
    if (!p || c.promptTokens < p.promptTokens || c.predictedTokens < p.predictedTokens) {
      if (p) { this.#lives.clear(); this.#queue = []; this.#awaiting = []; this.#started = []; this.#carry = [0, 0]; }
      return null;
    }
    return {
      ...c,
      promptTokens: c.promptTokens - p.promptTokens,
      promptSeconds: c.promptSeconds - p.promptSeconds,
      predictedTokens: c.predictedTokens - p.predictedTokens,
      predictedSeconds: c.predictedSeconds - p.predictedSeconds,
    };
  }

  #start(s: SlotInfo, before: number, ts: number): Live {
    return {
      key: `${s.id}:${s.idTask}:${Math.round(ts)}`, slot: s.id, task: s.idTask!, before, firstSeen: ts,
      queuedAt: null, queuedPrecision: 0, prefill: [], decodeFirst: null, decodeLast: null, decodePrev: null, lastBusy: ts, endSeen: null,
      processed: 0, cached: null, promptAttrTokens: 0, promptAttrSeconds: 0, promptMark: 0, promptShared: false, exactGen: null, genExtra: 0, deferred: false,
      accepted0: this.#accepted, accepted1: null,
    };
  }

  #update(l: Live, s: SlotInfo, ts: number): void {
    l.lastBusy = ts;
    const nd = s.nDecoded ?? 0;
    l.processed = Math.max(l.processed, s.nPromptProcessed ?? 0);
    if (s.nPromptCache != null) l.cached = s.nPromptCache;
    if (nd === 0) l.prefill.push([ts, s.nPromptProcessed ?? 0]);
    else {
      l.decodeFirst ??= [ts, nd];
      l.decodePrev = l.decodeLast;
      l.decodeLast = [ts, nd];
    }
  }

  /** Requests that left the queue took a slot: the oldest waiting arrival goes to each new one. */
  #dequeue(started: Live[], deferredNow: number): void {
    const left = this.#queue.length - deferredNow;
    for (let i = 0; i < left; i++) {
      const q = this.#queue.shift()!;
      const l = started[i];
      if (l) { l.queuedAt = q[0]; l.queuedPrecision = q[1]; }
    }
  }

  #attributePrompt(lives: Live[], tokens: number, seconds: number): void {
    if (tokens <= 0) return;
    // Only prompt progress made since the last counters read can be behind this delta: a request whose earlier
    // share went unattributed (running before the first poll) must not soak up the next ones'.
    const want = lives.map((l) => Math.max(0, l.processed - l.promptMark));
    const sum = want.reduce((a, b) => a + b, 0);
    if (sum === 0) {
      this.#orphanPrompt = [this.#orphanPrompt[0] + tokens, this.#orphanPrompt[1] + seconds];
      return;
    }
    const shared = want.filter((w) => w > 0).length > 1;
    lives.forEach((l, i) => {
      if (want[i] === 0) return;
      l.promptAttrTokens += (tokens * want[i]) / sum;
      l.promptAttrSeconds += (seconds * want[i]) / sum;
      if (shared) l.promptShared = true;
    });
  }

  /** Generation counters move when requests end: exact for one that ended alone; the rest is unseen requests. */
  #attributeGen(ended: Live[], tokens: number, seconds: number, prevTs: number, ts: number): RequestRecord[] {
    if (tokens <= 0) return [];
    let rest = tokens;
    if (ended.length === 1) {
      const l = ended[0];
      const seen = l.decodeLast?.[1] ?? 0;
      // Speed varies with the other slots' load: allow for the faster of the average and the latest pace.
      const rate = Math.max(decodeRateSeen(l) ?? 0, recentRate(l) ?? 0);
      const room = rate > 0 ? ((rate * (ts - l.lastBusy)) / 1000) * 2 + 2 : Infinity;
      if (tokens >= seen && tokens - seen <= room) {
        l.exactGen = [tokens, seconds];
        rest = 0;
      }
    } else {
      for (const l of ended) rest -= l.decodeLast?.[1] ?? 0;
      // Several ended in one tick: the tokens beyond those seen went to them, in proportion to their speeds.
      const rates = ended.map((l) => decodeRateSeen(l) ?? 0);
      const sum = rates.reduce((a, b) => a + b, 0);
      if (rest > 0 && sum > 0) {
        ended.forEach((l, i) => (l.genExtra = Math.round((rest * rates[i]) / sum)));
        rest = 0;
      }
    }
    if (ended.length > 0 || rest <= 0) return [];
    const [pt, ps] = this.#orphanPrompt;
    this.#orphanPrompt = [0, 0];
    const width = Number.isFinite(prevTs) ? ts - prevTs : Infinity;
    return [{
      key: `c:${Math.round(ts)}`, slot: null, start: null, firstToken: null, end: Number.isFinite(prevTs) ? (prevTs + ts) / 2 : ts,
      promptTokens: pt || null, cachedTokens: null, generatedTokens: rest, queueMs: null, ttftMs: null,
      prefillTps: ps > 0 ? pt / ps : null, decodeTps: seconds > 0 && rest > 1 ? (rest - 1) / seconds : null,
      durationMs: seconds > 0 ? (ps + seconds) * 1000 : null, outcome: 'ended', precisionMs: finiteOrNull(width / 2),
      exactTokens: false, exactPrefill: false, exactDecode: false, source: 'counters', speculative: null,
    }];
  }
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

function decodeRateSeen(l: Live): number | null {
  const a = l.decodeFirst, b = l.decodeLast;
  if (!a || !b || b[0] <= a[0] || b[1] <= a[1]) return null;
  return ((b[1] - a[1]) * 1000) / (b[0] - a[0]);
}

function recentRate(l: Live): number | null {
  const a = l.decodePrev, b = l.decodeLast;
  if (!a || !b || b[0] <= a[0]) return null;
  return ((b[1] - a[1]) * 1000) / (b[0] - a[0]);
}

function prefillRateSeen(l: Live): number | null {
  const grow = l.prefill.filter(([, pp]) => pp > 0);
  const a = grow[0], b = grow[grow.length - 1];
  if (!a || !b || b[0] <= a[0] || b[1] <= a[1]) return null;
  return ((b[1] - a[1]) * 1000) / (b[0] - a[0]);
}

/**
 * How far start and first token may be off: the gap between the polls around the first token, and around
 * the start unless the start was worked back from the first token with an exact prompt time; for a
 * request that waited, the gap in which it was first seen waiting.
 */
function precision(l: Live, lastPrefill: number, startFromFirstToken: boolean): number {
  const startGap = l.firstSeen - l.before;
  const tokenGap = l.decodeFirst ? l.decodeFirst[0] - lastPrefill : startGap;
  const start = startFromFirstToken ? Math.min(startGap, tokenGap) : startGap;
  return Math.max(start, tokenGap, l.queuedAt !== null ? 2 * l.queuedPrecision : 0);
}

/** The figures of one request from what was seen of it (see the module comment for the method). */
function record(l: Live, outcome: 'running' | 'ended'): RequestRecord {
  const generated = l.exactGen ? l.exactGen[0] : l.decodeLast ? l.decodeLast[1] + l.genExtra : null;
  // The server times generation from its first token: generated - 1 tokens over predicted seconds.
  const exactDecodeTps = l.exactGen && l.exactGen[0] > 1 && l.exactGen[1] > 0 ? (l.exactGen[0] - 1) / l.exactGen[1] : null;
  const decodeTps = exactDecodeTps ?? decodeRateSeen(l);
  const promptDone = l.decodeFirst !== null || outcome === 'ended';
  const attrWhole = promptDone && l.processed > 0 && Math.abs(l.promptAttrTokens - l.processed) < 0.5;
  const prefillRate = prefillRateSeen(l);
  const promptS = attrWhole ? l.promptAttrSeconds : prefillRate && l.processed > 0 ? l.processed / prefillRate : null;
  const lastPrefill = l.prefill[l.prefill.length - 1]?.[0] ?? l.before;
  let firstToken: number | null = null;
  if (l.decodeFirst) {
    const [tb, nd] = l.decodeFirst;
    const guess = decodeTps ? tb - ((nd - 1) * 1000) / decodeTps : (lastPrefill + tb) / 2;
    firstToken = clamp(guess, lastPrefill, tb);
  }
  let taken: number;
  if (firstToken !== null && promptS !== null) taken = firstToken - promptS * 1000;
  else if (prefillRate && l.prefill.length > 0) taken = l.prefill[0][0] - (l.prefill[0][1] * 1000) / prefillRate;
  else {
    // Nothing to work back from: the middle of the time it can have started in (before its first token).
    const latest = Math.min(l.firstSeen, firstToken ?? l.firstSeen);
    taken = Number.isFinite(l.before) ? (l.before + latest) / 2 : latest;
  }
  taken = clamp(taken, l.before, Math.min(l.firstSeen, firstToken ?? Infinity));
  if (firstToken === null && promptS !== null && promptDone) firstToken = taken + promptS * 1000;
  const start = l.queuedAt !== null ? Math.min(l.queuedAt, taken) : taken;
  let end: number | null = null;
  if (outcome === 'ended') {
    const hi = l.endSeen ?? l.lastBusy;
    if (firstToken !== null && l.exactGen) end = firstToken + l.exactGen[1] * 1000;
    else if (firstToken !== null && decodeTps && generated) end = firstToken + ((generated - 1) * 1000) / decodeTps;
    else end = (l.lastBusy + hi) / 2;
    end = clamp(end, l.lastBusy, hi);
  }
  const accepted = l.accepted0 !== null && l.accepted1 !== null ? l.accepted1 > l.accepted0 : null;
  return {
    key: l.key, slot: l.slot, start, firstToken, end,
    promptTokens: l.processed > 0 ? l.processed : null,
    cachedTokens: l.cached,
    generatedTokens: generated,
    queueMs: l.queuedAt !== null ? taken - start : null,
    ttftMs: firstToken !== null ? firstToken - start : null,
    prefillTps: promptS && l.processed > 0 ? l.processed / promptS : null,
    decodeTps,
    durationMs: end !== null ? end - start : null,
    outcome,
    precisionMs: finiteOrNull(precision(l, lastPrefill, attrWhole && firstToken !== null)),
    exactTokens: l.exactGen !== null,
    exactPrefill: attrWhole && !l.promptShared,
    exactDecode: exactDecodeTps !== null,
    source: 'slots',
    speculative: accepted,
  };
}
