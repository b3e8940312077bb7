import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parsePrometheus } from '../../../src/lib/prometheus';
import { finishedTasks, liveSpeed, parseSlots, slotContextFill } from '../../../src/lib/llama-slots';
import { deriveTick, initialDeriveState, labelValues, type DeriveState } from '../../../src/lib/llama-derive';
import { parseProps } from '../../../src/lib/llama-props';
import { parseModelsSseData, parseRouterModels, splitSse } from '../../../src/lib/llama-models';
import { parseSeriesKey, seriesKey, withLabels } from '../../../src/lib/series-keys';

const text = (p: string) => readFileSync(new URL(`../../fixtures/llama-server/${p}`, import.meta.url), 'utf8');
const json = (p: string) => JSON.parse(text(p));
const metrics = (p: string) => parsePrometheus(text(p));

describe('/slots', () => {
  it('reads busy slots from a real capture (next_token is an array)', () => {
    const slots = parseSlots(json('single/slots-2-busy.body.json'))!;
    expect(slots.map((s) => [s.id, s.isProcessing, s.idTask, s.nDecoded])).toEqual([
      [0, true, 90, 331],
      [1, true, 92, 330],
    ]);
    expect(slotContextFill(slots[0])).toBeCloseTo((337 + 331) / 2048);
  });

  it('reads slots that never ran a task', () => {
    const slots = parseSlots(json('single/slots-0-startup.body.json'))!;
    expect(slots.map((s) => [s.idTask, s.nDecoded, slotContextFill(s)])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
  });

  it('refuses what is not a slot list', () => {
    expect(parseSlots({ error: 'x' })).toBeNull();
    expect(parseSlots([{ n_ctx: 1 }])).toBeNull();
  });

  it('live speed is the growth of n_decoded of the same task per second, summed over slots', () => {
    const a = parseSlots(json('single/slots-2-busy.body.json'))!;
    const b = a.map((s) => ({ ...s, nDecoded: s.nDecoded! + (s.id === 0 ? 100 : 50) }));
    const speed = liveSpeed({ ts: 0, slots: a }, { ts: 500, slots: b });
    expect(speed.perSlot.get(0)).toBe(200);
    expect(speed.perSlot.get(1)).toBe(100);
    expect(speed.total).toBe(300);
  });

  it('a new task on a slot has no speed yet; idle slots give 0', () => {
    const a = parseSlots(json('single/slots-2-busy.body.json'))!;
    const b = a.map((s) => ({ ...s, idTask: s.idTask! + 10 }));
    expect(liveSpeed({ ts: 0, slots: a }, { ts: 1000, slots: b }).total).toBeNull();
    const idle = parseSlots(json('single/slots-3-idle-after-concurrency.body.json'))!;
    expect(liveSpeed({ ts: 0, slots: a }, { ts: 1000, slots: idle }).total).toBe(0);
    expect(finishedTasks({ ts: 0, slots: a }, { ts: 1000, slots: idle })).toBe(2);
  });
});

describe('deriveTick on real captures', () => {
  const step = (s: DeriveState, ts: number, m: string | null, slots: string | null = null) =>
    deriveTick(s, { ts, metrics: m ? metrics(m) : null, slots: slots ? parseSlots(json(slots)) : null, totalSlots: 2 });

  it('stores every metric under its own name and derives throughput from counter deltas', () => {
    const t0 = step(initialDeriveState(), 0, 'single/metrics-2-busy.body.txt', 'single/slots-2-busy.body.json');
    expect(t0.values['llamacpp:requests_deferred']).toBe(1);
    expect(t0.values['llamacpp:n_busy_slots_per_decode']).toBe(1.83191);
    expect(t0.values.gen_tps).toBeNull();
    expect(t0.values.slots_busy).toBe(2);
    expect(t0.values['slot_ctx_fill{slot="0"}']).toBeCloseTo((337 + 331) / 2048);

    const t1 = step(t0.state, 10_000, 'single/metrics-3-after-concurrency.body.txt', null);
    expect(t1.restart).toBe(false);
    expect(t1.values.gen_tps).toBeCloseTo((4094 - 78) / (7.08038 - 0.020512));
    expect(t1.values.prompt_tps).toBeCloseTo((144 - 137) / (0.030455 - 0.028742));
    expect(t1.values.gen_tokens_rate).toBeCloseTo((4094 - 78) / 10);
    // both busy requests and the deferred one are gone: at least the two that were processing finished
    expect(t1.values.requests_finished).toBe(2);
    expect(t1.values.slots_busy).toBe(0);
    expect(t1.values.gen_tps_live).toBe(0);
    // the server's own window gauge is stored raw, but it is not what gen_tps shows
    expect(t1.values['llamacpp:predicted_tokens_seconds']).toBe(568.424);
  });

  it('a counter going down is a restart: new base, no negative rate, uptime restarts', () => {
    const a = step(initialDeriveState(), 0, 'single/metrics-3-after-concurrency.body.txt');
    const b = step(a.state, 5_000, 'single/metrics-0-startup.body.txt');
    expect(b.restart).toBe(true);
    expect(b.values.uptime_s).toBe(0);
    for (const k of ['gen_tps', 'prompt_tps', 'gen_tokens_rate', 'prompt_tokens_rate']) expect(b.values[k]).toBeNull();
    const c = step(b.state, 6_000, 'single/metrics-1-after-requests.body.txt');
    expect(c.restart).toBe(false);
    expect(c.values.gen_tokens_rate).toBe(78);
    expect(c.values.uptime_s).toBe(1);
  });

  it('a long generation shows live speed from /slots while the counters stay flat', () => {
    const busy = parseSlots(json('single/slots-2-busy.body.json'))!;
    const m = metrics('single/metrics-2-busy.body.txt');
    const a = deriveTick(initialDeriveState(), { ts: 0, metrics: m, slots: busy, totalSlots: 2 });
    const later = busy.map((s) => ({ ...s, nDecoded: s.nDecoded! + 40 }));
    const b = deriveTick(a.state, { ts: 1000, metrics: m, slots: later, totalSlots: 2 });
    expect(b.values.gen_tps).toBeNull();
    expect(b.values.gen_tps_live).toBe(80);
    expect(b.values['slot_gen_tps{slot="1"}']).toBe(40);
    expect(b.values.requests_finished).toBe(0);
  });

  it('garbage /metrics yields no metric values rather than wrong ones', () => {
    const r = deriveTick(initialDeriveState(), { ts: 0, metrics: parsePrometheus('<html>oops</html>'), slots: null, totalSlots: null });
    expect(Object.keys(r.values).filter((k) => k.startsWith('llamacpp:'))).toEqual([]);
  });

  it('labels every key with the router model', () => {
    expect(labelValues({ gen_tps: 1, 'slot_ctx_fill{slot="0"}': 0.5 }, { model: 'tiny' })).toEqual({
      'gen_tps{model="tiny"}': 1,
      'slot_ctx_fill{model="tiny",slot="0"}': 0.5,
    });
  });
});

describe('series keys', () => {
  it('sorts and escapes labels and reads them back', () => {
    const k = seriesKey('x', { slot: '1', model: 'a"b' });
    expect(k).toBe('x{model="a\\"b",slot="1"}');
    expect(parseSeriesKey(k)).toEqual({ name: 'x', labels: { model: 'a"b', slot: '1' } });
    expect(withLabels('x{slot="1"}', { model: 'm' })).toBe('x{model="m",slot="1"}');
  });
});

describe('/props and router /models', () => {
  it('reads a single-model server', () => {
    const p = parseProps(json('single/props.body.json'))!;
    expect(p).toMatchObject({ isRouter: false, model: 'tiny.gguf', build: 'b10573-d775b8967', totalSlots: 2, ctxSize: 2048, isSleeping: false, slotsEnabled: true, metricsEnabled: true });
    expect(parseProps(json('sleep/props-sleeping.body.json'))!.isSleeping).toBe(true);
    expect(parseProps(json('apikey/props.rightkey.body.json'))!.model).toBe('tiny-alias');
  });

  it('tells a router apart and lists its models with their state', () => {
    expect(parseProps(json('router/props.body.json'))).toMatchObject({ isRouter: true, model: null, maxInstances: 4 });
    expect(parseRouterModels(json('router/models-1-while-loading.body.json'))!.map((m) => [m.id, m.state])).toEqual([
      ['tiny', 'loading'],
      ['tiny-copy', 'unloaded'],
      ['tiny-preset', 'unloaded'],
    ]);
    expect(parseRouterModels(json('single/models.body.json'))).toBeNull();
  });

  it('reads the /models/sse stream', () => {
    const { payloads, rest } = splitSse(text('router/models-sse.body.sse.txt') + 'data: {"partial"');
    expect(rest).toBe('data: {"partial"');
    const events = payloads.map(parseModelsSseData);
    expect(events[1]).toEqual({ kind: 'status', model: 'tiny', state: 'loading', progress: 0 });
    expect(events[3]).toMatchObject({ kind: 'status', model: 'tiny', state: 'loaded' });
    expect(events).toContainEqual({ kind: 'reload' });
    expect(parseModelsSseData('{"model":"x","event":"status_change","data":{"status":"unloaded","exit_code":1}}')).toMatchObject({ state: 'failed' });
  });
});

describe('deriveTick over random counter histories', () => {
  it('never gives a negative rate, and flags a restart exactly when a counter went down', () => {
    const step = fc.record({
      dt: fc.integer({ min: 1, max: 5000 }),
      restart: fc.boolean(),
      prompt: fc.nat(500),
      gen: fc.nat(500),
      secs: fc.double({ min: 0, max: 5, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        let state = initialDeriveState();
        let ts = 0;
        let c = { p: 0, g: 0, ps: 0, gs: 0 };
        for (const s of steps) {
          ts += s.dt;
          // a restart starts the counters again from zero, plus whatever the new process did since
          c = s.restart
            ? { p: Math.min(s.prompt, Math.max(0, c.p - 1)), g: Math.min(s.gen, Math.max(0, c.g - 1)), ps: s.secs, gs: s.secs }
            : { p: c.p + s.prompt, g: c.g + s.gen, ps: c.ps + s.secs, gs: c.gs + s.secs };
          const text = `llamacpp:prompt_tokens_total ${c.p}\nllamacpp:prompt_seconds_total ${c.ps}\nllamacpp:tokens_predicted_total ${c.g}\nllamacpp:tokens_predicted_seconds_total ${c.gs}\nllamacpp:requests_processing 0\n`;
          const prevG = state.counters?.values['llamacpp:tokens_predicted_total'];
          const prevP = state.counters?.values['llamacpp:prompt_tokens_total'];
          const out = deriveTick(state, { ts, metrics: parsePrometheus(text), slots: null, totalSlots: 1 });
          const prevPs = state.counters?.values['llamacpp:prompt_seconds_total'];
          const prevGs = state.counters?.values['llamacpp:tokens_predicted_seconds_total'];
          const wentDown = [[c.g, prevG], [c.p, prevP], [c.ps, prevPs], [c.gs, prevGs]].some(([cur, prev]) => prev !== undefined && cur! < prev);
          expect(out.restart).toBe(wentDown);
          for (const k of ['prompt_tps', 'gen_tps', 'prompt_tokens_rate', 'gen_tokens_rate', 'requests_per_min', 'uptime_s']) {
            const v = out.values[k];
            if (v !== null && v !== undefined) expect(v).toBeGreaterThanOrEqual(0);
          }
          state = out.state;
        }
      }),
    );
  });
});
