import { describe, expect, it } from 'vitest';
import { createSimulation } from '../../../src/lib/simulate/index';
import { FIRST_RESTART_MS, SIM_N_CTX } from '../../../src/lib/simulate/llama-sim';
import { HOT_C, ROOM_C } from '../../../src/lib/simulate/exporter-sim';
import { SIM_EXPORTER_URL, SIM_LLAMA_URL } from '../../../src/lib/simulate/host';
import { parsePrometheus } from '../../../src/lib/prometheus';

const T0 = 1_800_000_000_000;

function counters(body: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of body.matchAll(/^llamacpp:(\w+_total|n_tokens_max) (\S+)$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

describe('simulated llama-server', () => {
  it('answers the paths a real one does, in the captured formats', () => {
    const sim = createSimulation(T0);
    expect(JSON.parse(sim.answer(`${SIM_LLAMA_URL}/health`, 'GET', T0).body)).toEqual({ status: 'ok' });
    const props = JSON.parse(sim.answer(`${SIM_LLAMA_URL}/props`, 'GET', T0).body);
    expect(props.total_slots).toBe(2);
    expect(props.default_generation_settings.n_ctx).toBe(SIM_N_CTX);
    expect(sim.answer(`${SIM_LLAMA_URL}/nope`, 'GET', T0).status).toBe(404);
    expect(sim.answer(`${SIM_LLAMA_URL}/completion`, 'POST', T0).status).toBe(405);
  });

  it('counters never go down except at the simulated restart, which brings them back to 0', () => {
    const sim = createSimulation(T0);
    let prev = counters(sim.answer(`${SIM_LLAMA_URL}/metrics`, 'GET', T0).body);
    let restarts = 0;
    for (let t = T0 + 2000; t < T0 + FIRST_RESTART_MS + 120_000; t += 2000) {
      const r = sim.answer(`${SIM_LLAMA_URL}/metrics`, 'GET', t);
      const cur = counters(r.body);
      const wentDown = Object.keys(cur).some((k) => cur[k] < prev[k]);
      if (wentDown) {
        restarts++;
        expect(t).toBeGreaterThanOrEqual(T0 + FIRST_RESTART_MS);
        expect(Number(r.headers?.['Process-Start-Time-Unix'])).toBe(Math.floor((T0 + FIRST_RESTART_MS) / 1000));
      }
      prev = cur;
    }
    expect(restarts).toBe(1);
    expect(prev.tokens_predicted_total).toBeGreaterThan(0);
  });

  it('/metrics parses as Prometheus text', () => {
    const sim = createSimulation(T0);
    const r = parsePrometheus(sim.answer(`${SIM_LLAMA_URL}/metrics`, 'GET', T0 + 30_000).body);
    expect(r.errors).toEqual([]);
    expect(r.samples.length).toBeGreaterThan(10);
  });

  it('/slots moves like the captures: n_decoded grows during a request, an idle slot keeps its last task', () => {
    const sim = createSimulation(T0);
    const read = (t: number) => JSON.parse(sim.answer(`${SIM_LLAMA_URL}/slots`, 'GET', t).body) as Record<string, any>[];
    let sawGrowth = false;
    let sawIdleWithTask = false;
    let prev = read(T0);
    for (let t = T0 + 500; t < T0 + 30_000; t += 500) {
      const cur = read(t);
      for (const s of cur) {
        const p = prev.find((x) => x.id === s.id)!;
        if (s.is_processing && p.is_processing && s.id_task === p.id_task && s.next_token[0].n_decoded > p.next_token[0].n_decoded) sawGrowth = true;
        if (!s.is_processing && s.id_task !== undefined) {
          sawIdleWithTask = true;
          expect(s.next_token[0].n_decoded).toBe(0);
        }
      }
      prev = cur;
    }
    expect(sawGrowth).toBe(true);
    expect(sawIdleWithTask).toBe(true);
  });

  it('a long request fills a slot\'s context', () => {
    const sim = createSimulation(T0);
    let most = 0;
    for (let t = T0; t < T0 + 120_000; t += 1000) {
      for (const s of JSON.parse(sim.answer(`${SIM_LLAMA_URL}/slots`, 'GET', t).body)) most = Math.max(most, s.n_prompt_tokens ?? 0);
    }
    expect(most).toBeGreaterThanOrEqual(SIM_N_CTX - 1);
    expect(most).toBeLessThanOrEqual(SIM_N_CTX);
  });
});

describe('simulated exporter', () => {
  it('the GPU warms up from room temperature and never passes its steady temperature', () => {
    const sim = createSimulation(T0);
    const temp = (t: number) => JSON.parse(sim.answer(`${SIM_EXPORTER_URL}/api/v1/snapshot`, 'GET', t).body).gpus[0].tempC as number;
    const first = temp(T0);
    const later = temp(T0 + 5 * 60_000);
    expect(first).toBeCloseTo(ROOM_C, 0);
    expect(later).toBeGreaterThan(first + 20);
    expect(later).toBeLessThanOrEqual(HOT_C);
  });
});
