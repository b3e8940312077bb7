import { describe, expect, it } from 'vitest';
import { RequestTracker, type RequestRecord } from '../../../src/lib/request-tracker';
import { loadTimeline, sampleTimeline, type TimelineEvent } from './timeline-replay';

interface Compared {
  request: number;
  record: RequestRecord;
  done: TimelineEvent;
  clientTtft: number;
}

/** Replays a captured timeline through the tracker and pairs each real request with the record made of it. */
function replay(file: string, intervalMs: number, phaseMs: number, fastMs?: number): { records: RequestRecord[]; compared: Compared[] } {
  const events = loadTimeline(file);
  const tracker = new RequestTracker();
  const byKey = new Map<string, RequestRecord>();
  for (const o of sampleTimeline(events, intervalMs, phaseMs, fastMs)) for (const r of tracker.observe(o)) byKey.set(r.key, r);
  const records = [...byKey.values()];
  const at = (kind: string, id: number) => events.find((e) => e.kind === kind && e.id === id)!.t_ms;
  const compared = events
    .filter((e) => e.kind === 'request_done')
    .map((done) => {
      const mine = records.filter((r) => r.slot === done.id_slot && r.end !== null);
      const record = mine.sort((a, b) => Math.abs(a.end! - done.t_ms) - Math.abs(b.end! - done.t_ms))[0];
      return { request: done.id!, record, done, clientTtft: at('first_token', done.id!) - at('request_sent', done.id!) };
    });
  return { records, compared };
}

const pct = (ours: number, theirs: number) => (100 * (ours - theirs)) / theirs;

// Phases start the poller before the first request is sent (0..400 ms into a capture whose first request
// goes out at ~490 ms), so every request starts between two polls.
const CASES: { interval: number; fast?: number; phases: number[] }[] = [
  { interval: 1000, phases: [0, 100, 200, 300, 400] },
  { interval: 250, phases: [0, 100, 200] },
  // The dashboard's way: /metrics (and /slots) every second, /slots alone every 250 ms while requests run.
  { interval: 1000, fast: 250, phases: [0, 100, 200, 300, 400] },
];

describe('request tracker against real llama-server timelines', () => {
  for (const file of ['single.jsonl', 'queued.jsonl']) {
    for (const { interval, fast, phases } of CASES) {
      for (const phase of phases) {
        const how = fast ? `every ${interval} ms, /slots every ${fast} ms while busy` : `every ${interval} ms`;
        it(`${file} polled ${how} (first poll +${phase} ms): figures match the server's own timings`, () => {
          const { records, compared } = replay(file, interval, phase, fast);
          expect(records.every((r) => r.outcome === 'ended')).toBe(true);
          // Every request was seen on a slot: none is counted twice from the counters.
          expect(records.filter((r) => r.source === 'counters')).toEqual([]);
          expect(records).toHaveLength(compared.length);
          for (const c of compared) {
            const { record: r, done } = c;
            const t = done.timings!;
            expect(r, `request ${c.request} has a record`).toBeDefined();
            // Token counts: the prompt from the slot, the generated ones exact when the counters say so.
            expect(r.promptTokens).toBe(t.prompt_n);
            expect(r.cachedTokens).toBe(t.cache_n);
            if (r.exactTokens) expect(r.generatedTokens).toBe(done.tokens_predicted);
            else expect(Math.abs(r.generatedTokens! - done.tokens_predicted!)).toBeLessThanOrEqual((r.decodeTps! * interval) / 1000 + 1);
            // Decode speed and time within 10 % for requests longer than 3 polls or that ended alone in a tick.
            if (t.predicted_ms > 3 * interval || r.exactDecode) {
              expect(Math.abs(pct(r.decodeTps!, t.predicted_per_second))).toBeLessThan(10);
              expect(Math.abs(pct(((r.generatedTokens! - 1) / r.decodeTps!) * 1000, t.predicted_ms))).toBeLessThan(10);
            }
            // Prompt time likewise for prompts longer than 3 polls (a short prompt batched with another's is not).
            if (t.prompt_ms > 3 * interval || r.exactPrefill) {
              expect(Math.abs(pct((r.promptTokens! / r.prefillTps!) * 1000, t.prompt_ms))).toBeLessThan(10);
            }
            // TTFT (queue included) against the client's first token, within the precision the record states.
            expect(r.precisionMs).not.toBeNull();
            expect(Math.abs(r.ttftMs! - c.clientTtft)).toBeLessThanOrEqual(r.precisionMs!);
          }
        });
      }
    }
  }

  it('every request on the queued server gets a record at 1 s, and the one that waited shows its queue time', () => {
    const { compared } = replay('queued.jsonl', 1000, 0);
    expect(compared.map((c) => c.request).sort()).toEqual([0, 1, 2]);
    const waited = compared.find((c) => c.request === 2)!;
    expect(waited.record.queueMs).toBeGreaterThan(5000);
    expect(compared.find((c) => c.request === 0)!.record.queueMs).toBeNull();
  });

  for (const file of ['single.jsonl', 'queued.jsonl']) {
    it(`${file} without /metrics (slots only, every 1 s): decode speed of requests longer than 3 polls within 10 %, from the slots alone`, () => {
      const events = loadTimeline(file);
      const tracker = new RequestTracker();
      const byKey = new Map<string, RequestRecord>();
      for (const o of sampleTimeline(events, 1000, 100)) for (const r of tracker.observe({ ...o, counters: null, slots: o.slots ?? [] })) byKey.set(r.key, r);
      const records = [...byKey.values()];
      for (const done of events.filter((e) => e.kind === 'request_done')) {
        const t = done.timings!;
        const r = records.filter((x) => x.slot === done.id_slot && x.end !== null).sort((a, b) => Math.abs(a.end! - done.t_ms) - Math.abs(b.end! - done.t_ms))[0];
        expect(r.exactDecode || r.exactTokens).toBe(false);
        if (t.predicted_ms > 3000) expect(Math.abs(pct(r.decodeTps!, t.predicted_per_second)), `request ${done.id}`).toBeLessThan(10);
        expect(r.promptTokens).toBe(t.prompt_n);
      }
    });
  }

  it('fast /slots reads while a request runs narrow the stated precision from the poll interval to the fast interval', () => {
    const slow = replay('single.jsonl', 1000, 0).compared[0].record;
    const fast = replay('single.jsonl', 1000, 0, 250).compared[0].record;
    expect(slow.precisionMs).toBeGreaterThan(900);
    expect(fast.precisionMs).toBeLessThan(350);
  });

  it('a request that ended alone in a tick takes its tokens and times from the counters, marked exact', () => {
    const { compared } = replay('single.jsonl', 1000, 0);
    const r = compared[0].record;
    expect(r.exactTokens && r.exactDecode && r.exactPrefill).toBe(true);
    expect(r.generatedTokens).toBe(600);
    expect(Math.abs(pct(r.decodeTps!, compared[0].done.timings!.predicted_per_second))).toBeLessThan(0.1);
  });
});

describe('requests no poll caught on a slot', () => {
  const counters = (p: number, ps: number, g: number, gs: number, processing = 0) =>
    ({ promptTokens: p, promptSeconds: ps, predictedTokens: g, predictedSeconds: gs, processing, deferred: 0, draftsAccepted: null });

  it('a request that started and ended between two polls still counts, from the counters, marked as such', () => {
    const t = new RequestTracker();
    expect(t.observe({ ts: 1000, slots: [], counters: counters(0, 0, 0, 0) })).toEqual([]);
    const [r] = t.observe({ ts: 2000, slots: null, counters: counters(40, 0.05, 21, 0.4) });
    expect(r).toMatchObject({ source: 'counters', outcome: 'ended', generatedTokens: 21, promptTokens: 40, decodeTps: 50, prefillTps: 800, precisionMs: 500 });
    expect(r.ttftMs).toBeNull();
  });

  it('drafts accepted while a request ran mark it speculative', () => {
    const t = new RequestTracker();
    const slot = (processing: boolean, decoded: number) => [{ id: 0, nCtx: 4096, isProcessing: processing, idTask: 7, nPromptTokens: 10, nDecoded: decoded, nPromptProcessed: processing ? 10 : 0, nPromptCache: 0 }];
    const c = (g: number, gs: number, accepted: number, processing: number) => ({ ...counters(10, 0.01, g, gs, processing), draftsAccepted: accepted });
    t.observe({ ts: 0, slots: [], counters: c(0, 0, 0, 0) });
    t.observe({ ts: 1000, slots: slot(true, 50), counters: c(0, 0, 0, 1) });
    t.observe({ ts: 2000, slots: slot(true, 100), counters: c(0, 0, 30, 1) });
    const [r] = t.observe({ ts: 3000, slots: slot(false, 0), counters: c(120, 2.2, 45, 0) });
    expect(r).toMatchObject({ speculative: true, generatedTokens: 120, exactTokens: true, outcome: 'ended' });
  });

  it('a request seen ending by /slots after the tick read /metrics is settled by the next counters, not counted twice', () => {
    const t = new RequestTracker();
    const slot = (processing: boolean, decoded: number) => [{ id: 0, nCtx: 4096, isProcessing: processing, idTask: 7, nPromptTokens: 10, nDecoded: decoded, nPromptProcessed: processing ? 10 : 0, nPromptCache: 0 }];
    t.observe({ ts: 0, slots: [], counters: counters(0, 0, 0, 0) });
    t.observe({ ts: 1000, slots: slot(true, 50), counters: counters(10, 0.01, 0, 0, 1) });
    // /metrics still counted it running; /slots, read just after, found the slot idle.
    t.observe({ ts: 2000, slots: slot(false, 0), counters: counters(10, 0.01, 0, 0, 1) });
    const out = t.observe({ ts: 3000, slots: null, counters: counters(10, 0.01, 120, 2.2, 0) });
    expect(out.filter((r) => r.source === 'counters')).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ generatedTokens: 120, exactTokens: true, outcome: 'ended' });
  });

  it('a request already running at the first poll does not take the prompt time of the next one', () => {
    const t = new RequestTracker();
    const s = (id: number, task: number, pp: number, nd: number) => ({ id, nCtx: 4096, isProcessing: true, idTask: task, nPromptTokens: pp + nd, nDecoded: nd, nPromptProcessed: pp, nPromptCache: 0 });
    t.observe({ ts: 0, slots: [s(0, 1, 500, 10)], counters: counters(500, 0.5, 0, 0, 1) });
    t.observe({ ts: 1000, slots: [s(0, 1, 500, 60), s(1, 2, 40, 5)], counters: counters(540, 0.58, 0, 0, 2) });
    const out = t.observe({ ts: 2000, slots: [s(0, 1, 500, 110), s(1, 2, 40, 55)], counters: counters(540, 0.58, 0, 0, 2) });
    const next = out.find((r) => r.slot === 1)!;
    expect(next.exactPrefill).toBe(true);
    expect(next.prefillTps).toBeCloseTo(500, 6);
    expect(out.find((r) => r.slot === 0)!.prefillTps).toBeNull();
  });

  it('a counter going back (a restart) makes no request out of the difference', () => {
    const t = new RequestTracker();
    t.observe({ ts: 1000, slots: null, counters: counters(500, 1, 900, 9) });
    expect(t.observe({ ts: 2000, slots: null, counters: counters(0, 0, 0, 0) })).toEqual([]);
    expect(t.observe({ ts: 3000, slots: null, counters: counters(0, 0, 0, 0) })).toEqual([]);
  });
});
