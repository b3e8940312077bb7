import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parsePrometheus, parsePromValue } from '../../../src/lib/prometheus';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/llama-server/${p}`, import.meta.url), 'utf8');

describe('parsePrometheus on real llama-server output', () => {
  it('reads every llamacpp: metric with its type and help from a busy server', () => {
    const r = parsePrometheus(fixture('single/metrics-2-busy.body.txt'));
    expect(r.errors).toEqual([]);
    expect(r.samples).toHaveLength(15);
    const byName = new Map(r.samples.map((s) => [s.name, s.value]));
    expect(byName.get('llamacpp:prompt_tokens_total')).toBe(137);
    expect(byName.get('llamacpp:prompt_seconds_total')).toBe(0.028742);
    expect(byName.get('llamacpp:requests_processing')).toBe(2);
    expect(byName.get('llamacpp:requests_deferred')).toBe(1);
    expect(r.families.get('llamacpp:tokens_predicted_total')).toEqual({
      name: 'llamacpp:tokens_predicted_total',
      type: 'counter',
      help: 'Number of generation tokens processed',
    });
    expect(r.families.get('llamacpp:n_busy_slots_per_decode')?.type).toBe('gauge');
  });

  it('reads the router per-model output the same way', () => {
    const r = parsePrometheus(fixture('router/metrics-tiny-after-traffic.body.txt'));
    expect(r.errors).toEqual([]);
    expect(r.samples.find((s) => s.name === 'llamacpp:tokens_predicted_total')?.value).toBeGreaterThan(0);
  });
});

describe('parsePrometheus exposition format', () => {
  it('unescapes label values and accepts a trailing comma', () => {
    const r = parsePrometheus('a{b="x\\"y\\\\z\\nw",c="",} 1\n');
    expect(r.errors).toEqual([]);
    expect({ ...r.samples[0].labels }).toEqual({ b: 'x"y\\z\nw', c: '' });
  });

  it('reads NaN, +Inf, -Inf and optional timestamps', () => {
    const r = parsePrometheus('a NaN\nb +Inf 1700000000000\nc -Inf -5\nd 1.5e3\ne .5\n');
    expect(r.errors).toEqual([]);
    expect(r.samples.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity, 1500, 0.5]);
    expect(r.samples.map((s) => s.timestampMs)).toEqual([null, 1700000000000, -5, null, null]);
  });

  it('handles CRLF, blank lines, plain comments, empty HELP and no final newline', () => {
    const text = '# just a comment\r\n\r\n# HELP x\r\n# TYPE x gauge\r\nx 3\r\n  \r\n# HELP y a \\\\ b\\nc\ny{le="+Inf"} 4';
    const r = parsePrometheus(text);
    expect(r.errors).toEqual([]);
    expect(r.samples.map((s) => [s.name, s.value, s.line])).toEqual([
      ['x', 3, 5],
      ['y', 4, 8],
    ]);
    expect(r.families.get('x')).toEqual({ name: 'x', type: 'gauge', help: '' });
    expect(r.families.get('y')?.help).toBe('a \\ b\nc');
  });

  it('keeps histogram and summary series as plain samples', () => {
    const text = [
      '# TYPE h histogram',
      'h_bucket{le="0.1"} 1',
      'h_bucket{le="+Inf"} 3',
      'h_sum 0.7',
      'h_count 3',
      '# TYPE s summary',
      's{quantile="0.5"} 0.2',
      's_count 9',
    ].join('\n');
    const r = parsePrometheus(text);
    expect(r.errors).toEqual([]);
    expect(r.samples.map((s) => s.name)).toEqual(['h_bucket', 'h_bucket', 'h_sum', 'h_count', 's', 's_count']);
    expect(r.families.get('h')?.type).toBe('histogram');
  });

  it('reports bad lines with their numbers and keeps the good ones', () => {
    const text = 'ok 1\nbad line here\nx{a="1" 3\ny{a="\\q"} 2\nz abc\nw 1 2 3\n# TYPE q weird\n9lives 1\nfine{a="b"} 2';
    const r = parsePrometheus(text);
    expect(r.samples.map((s) => [s.name, s.value])).toEqual([
      ['ok', 1],
      ['fine', 2],
    ]);
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    for (const e of r.errors) expect(e.message.length).toBeGreaterThan(5);
  });

  it('treats __proto__ as an ordinary name and label', () => {
    const r = parsePrometheus('# TYPE __proto__ gauge\n__proto__{__proto__="v"} 1\n');
    expect(r.errors).toEqual([]);
    expect(r.samples[0].labels.__proto__).toBe('v');
    expect(r.families.get('__proto__')?.type).toBe('gauge');
  });

  it('parsePromValue refuses what Prometheus refuses', () => {
    expect(parsePromValue('1_000')).toBeNull();
    expect(parsePromValue('')).toBeNull();
    expect(parsePromValue('0x10')).toBeNull();
    expect(parsePromValue('inf')).toBe(Infinity);
    expect(parsePromValue('-Infinity')).toBe(-Infinity);
  });
});
