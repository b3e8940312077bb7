import { describe, expect, it } from 'vitest';
import { SimServer } from '../../fixtures/llama-stand-in-sim.mjs';
import { parseSlots } from '../../../src/lib/llama-slots';
import { parsePrometheus } from '../../../src/lib/prometheus';
import { RequestTracker, requestCounters, type RequestRecord } from '../../../src/lib/request-tracker';
import { loadTimeline, sampleTimeline } from './timeline-replay';

interface Sim {
  submit(now: number, spec: object): void;
  metricsText(now: number): string;
  slotsJson(now: number): unknown[];
}

/** Polls the stand-in's simulated server every `step` ms, submitting each request when its time comes. */
function pollSim(sim: Sim, from: number, to: number, step: number, submits: [number, object][]) {
  const out = [];
  const todo = [...submits];
  for (let t = from; t <= to; t += step) {
    while (todo.length > 0 && todo[0][0] <= t) {
      const [at, spec] = todo.shift()!;
      sim.submit(at, spec);
    }
    const counters = requestCounters(parsePrometheus(sim.metricsText(t)));
    out.push({ ts: t, slots: parseSlots(sim.slotsJson(t)), counters });
  }
  return out;
}

function track(obs: ReturnType<typeof pollSim>): RequestRecord[] {
  const t = new RequestTracker();
  const m = new Map<string, RequestRecord>();
  for (const o of obs) for (const r of t.observe(o)) m.set(r.key, r);
  return [...m.values()].filter((r) => r.source === 'slots');
}

const real = loadTimeline('single.jsonl');
const done = real.find((e) => e.kind === 'request_done')!;
const T = done.timings!;

describe('the stand-in moves /slots as the real server does', () => {
  const sim: Sim = new SimServer({ slots: 1, nCtx: 4096, traffic: 'idle', now: 0 });
  const spec = { promptTokens: T.prompt_n, promptMs: T.prompt_ms, genTokens: T.predicted_n, genMs: T.predicted_ms };
  const obs = pollSim(sim, 0, 9000, 100, [[492, spec]]);

  it('answers a slot with the same fields, busy and idle', () => {
    const keys = (b: unknown) => Object.keys(b as object).filter((k) => k !== 'params').sort();
    const realBusy = real.find((e) => e.kind === 'slots' && (e.body as { is_processing: boolean }[])[0].is_processing)!;
    const realIdle = real.findLast((e) => e.kind === 'slots')!;
    expect(keys(sim.slotsJson(1000)[0])).toEqual(keys((realBusy.body as unknown[])[0]));
    expect(keys(sim.slotsJson(9000)[0])).toEqual(keys((realIdle.body as unknown[])[0]));
  });

  it('prefill grows a batch at a time with nothing decoded; decoding follows; an idle slot resets its counts', () => {
    const prefill = obs.filter((o) => o.slots![0].isProcessing && o.slots![0].nDecoded === 0).map((o) => o.slots![0]);
    expect(prefill.length).toBeGreaterThan(5);
    expect(prefill.every((s) => s.nPromptProcessed! % 128 === 0 && s.nPromptTokens! - s.nPromptProcessed! <= 128)).toBe(true);
    expect(prefill.at(-1)!.nPromptProcessed).toBeGreaterThan(prefill[0].nPromptProcessed!);
    const decode = obs.filter((o) => o.slots![0].isProcessing && o.slots![0].nDecoded! > 0).map((o) => o.slots![0]);
    expect(decode.every((s) => s.nPromptProcessed === T.prompt_n)).toBe(true);
    const idle = obs.at(-1)!.slots![0];
    expect(idle).toMatchObject({ isProcessing: false, nDecoded: 0, nPromptProcessed: 0 });
  });

  it('counters: prompt totals move when prefill ends, generation totals only when the request ends', () => {
    const gen = obs.map((o) => o.counters!.predictedTokens);
    expect(new Set(gen).size).toBe(2);
    const busy = obs.filter((o) => o.slots![0].isProcessing);
    expect(busy.filter((o) => o.slots![0].nDecoded === 0).every((o) => o.counters!.promptTokens === 0)).toBe(true);
  });

  it('the tracker reads the same figures from the stand-in as from the real capture (within 10 %)', () => {
    const fromReal = track(sampleTimeline(real, 1000, 100))[0];
    const fromSim = track(obs.filter((_, i) => i % 10 === 1))[0];
    expect(fromSim.precisionMs).toBe(1000);
    for (const k of ['decodeTps', 'prefillTps', 'ttftMs', 'durationMs'] as const) {
      expect(Math.abs(fromSim[k]! - fromReal[k]!) / fromReal[k]!, k).toBeLessThan(0.1);
    }
    expect(fromSim.generatedTokens).toBe(fromReal.generatedTokens);
  });

  it('queues a request beyond the free slots (requests_deferred) and the tracker sees how long it waited', () => {
    const q: Sim = new SimServer({ slots: 2, traffic: 'idle', now: 0 });
    const spec = { promptTokens: 1000, promptMs: 1500, genTokens: 300, genMs: 3000 };
    const o = pollSim(q, 0, 8000, 250, [[500, spec], [550, spec], [600, spec]]);
    expect(o.some((x) => x.counters!.deferred === 1)).toBe(true);
    const recs = track(o);
    expect(recs).toHaveLength(3);
    // The third waits from 600 ms until the first ends at 500 + 1500 + 3000 ms.
    const waited = recs.find((r) => r.queueMs !== null)!;
    expect(Math.abs(waited.queueMs! - 4400)).toBeLessThanOrEqual(waited.precisionMs!);
  });
});
