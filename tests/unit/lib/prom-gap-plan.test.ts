import { describe, expect, it } from 'vitest';
import { fillChunks, fillQuery, fillSelector, filledLabel, MAX_STEPS, PROM_SOURCE, samplesFromMatrix } from '../../../src/lib/prom-gap-plan';
import { filledDetail, filledSpan } from '../../../src/lib/gap-plan';
import type { RangeSeries } from '../../../src/lib/prometheus-api';

const llama = (url: string) => ({ kind: 'llama', url });

describe('which Prometheus target is a llama endpoint', () => {
  it('matches by address, with and without the default port', () => {
    expect(fillSelector(7, llama('http://127.0.0.1:8080'), null)).toEqual({ instance: '127.0.0.1:8080' });
    expect(fillSelector(7, llama('https://router.lan/llama'), null)).toEqual({ instance: 'router.lan|router.lan:443' });
  });

  it('takes a hand-made link over the address, and only for the Prometheus it names', () => {
    const link = { prometheusId: 7, job: 'llama-box', instance: 'box' };
    expect(fillSelector(7, llama('http://127.0.0.1:8080'), link)).toEqual({ job: 'llama-box', instance: 'box' });
    expect(fillSelector(8, llama('http://127.0.0.1:8080'), link)).toBeNull();
  });

  it('fills only llama endpoints', () => {
    expect(fillSelector(7, { kind: 'exporter', url: 'http://127.0.0.1:8642' }, null)).toBeNull();
  });
});

describe('the fill query', () => {
  it('asks for up, the counters and the gauges of one target in one expression', () => {
    expect(fillQuery({ instance: '127.0.0.1:8080' })).toBe(
      '{__name__=~"up|llamacpp:prompt_tokens_total|llamacpp:prompt_seconds_total|llamacpp:tokens_predicted_total|llamacpp:tokens_predicted_seconds_total|llamacpp:prompt_tokens_cached_total|llamacpp:requests_processing|llamacpp:requests_deferred|llamacpp:n_busy_slots_per_decode",instance="127.0.0.1:8080"}',
    );
    expect(fillQuery({ instance: 'router.lan|router.lan:443' })).toContain('instance=~"router\\\\.lan|router\\\\.lan:443"');
    expect(fillQuery({ job: 'llama-box', instance: 'a|b' })).toMatch(/,instance="a\|b",job="llama-box"\}$/);
  });

  it('cuts a long gap into range queries under Prometheus\'s point limit, each starting a step early', () => {
    expect(fillChunks({ from: 10_500, to: 20_000 }, 2)).toEqual([{ start: 9, end: 20 }]);
    const chunks = fillChunks({ from: 0, to: 3 * MAX_STEPS * 1000 }, 1);
    expect(chunks).toHaveLength(4);
    expect(chunks[0]).toEqual({ start: -1, end: MAX_STEPS - 1 });
    expect(chunks[1].start).toBe(MAX_STEPS - 1);
    for (const c of chunks) expect(c.end - c.start).toBeLessThanOrEqual(MAX_STEPS);
  });
});

const s = (name: string, ts: number[], values: number[], labels: Record<string, string> = {}): RangeSeries => ({ labels: { __name__: name, ...labels }, ts, values });

describe('range answers as frames', () => {
  it('derives token rates and speeds from the counters like the dashboard, inside the gap only', () => {
    const t = [100, 102, 104];
    const frames = samplesFromMatrix([
      s('up', t, [1, 1, 1]),
      s('llamacpp:tokens_predicted_total', t, [1000, 1100, 1300]),
      s('llamacpp:tokens_predicted_seconds_total', t, [10, 11, 13]),
      s('llamacpp:prompt_tokens_total', t, [50, 50, 90]),
      s('llamacpp:prompt_seconds_total', t, [1, 1, 1.5]),
      s('llamacpp:requests_processing', t, [0, 1, 2]),
    ], { from: 101_000, to: 104_000 });
    expect(frames.map((f) => f.ts)).toEqual([102_000, 104_000]);
    expect(frames[0].values).toMatchObject({ up: 1, gen_tokens_rate: 50, gen_tps: 100, prompt_tokens_rate: 0, prompt_tps: null, slots_busy: 1 });
    expect(frames[1].values).toMatchObject({ gen_tokens_rate: 100, gen_tps: 100, prompt_tokens_rate: 20, prompt_tps: 80, 'llamacpp:tokens_predicted_total': 1300 });
  });

  it('gives no rate across a restart and no frame where the scrape itself is unknown', () => {
    const frames = samplesFromMatrix([
      s('up', [1, 2, 4], [1, 1, 1]),
      s('llamacpp:tokens_predicted_total', [1, 2, 3, 4], [500, 10, 20, 30]),
    ], { from: 0, to: 10_000 });
    expect(frames.map((f) => f.ts)).toEqual([1000, 2000, 4000]);
    expect(frames[1].values.gen_tokens_rate).toBeNull();
    expect(frames[2].values.gen_tokens_rate).toBe(10);
  });

  it('keeps router models apart by their model label', () => {
    const frames = samplesFromMatrix([
      s('up', [1, 2], [1, 1], { model: 'tiny' }),
      s('llamacpp:tokens_predicted_total', [1, 2], [0, 8], { model: 'tiny' }),
      s('up', [1, 2], [1, 1], { model: 'big' }),
      s('llamacpp:tokens_predicted_total', [1, 2], [0, 2], { model: 'big' }),
    ], { from: 2000, to: 2000 });
    expect(frames).toHaveLength(1);
    expect(frames[0].values['gen_tokens_rate{model="tiny"}']).toBe(8);
    expect(frames[0].values['gen_tokens_rate{model="big"}']).toBe(2);
  });
});

describe('the marker of a Prometheus fill', () => {
  it('reads back as a filled span labelled from Prometheus', () => {
    const span = filledSpan(1000, filledDetail({ from: 1000, to: 5000 }, `${PROM_SOURCE}prom.lan:9090`))!;
    expect(span).toEqual({ from: 1000, to: 5000, source: 'Prometheus at prom.lan:9090' });
    expect(filledLabel(span.source)).toBe('from Prometheus');
    expect(filledLabel('box:8642')).toBe('from the exporter');
  });
});
