import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parsePrometheus } from '../../../src/lib/prometheus';
import { parseProps } from '../../../src/lib/llama-props';
import { parseSlots } from '../../../src/lib/llama-slots';
import { parseRouterModels } from '../../../src/lib/llama-models';
import { SeriesBudget, isStoredSeries } from '../../../src/lib/series-budget';
import { snapshotSeries } from '../../../src/lib/host-snapshot';
import { MAX_LABELS, MAX_MODELS, MAX_PARSE_ERRORS, MAX_SAMPLES, MAX_SERIES, MAX_SLOTS, MAX_TEXT } from '../../../src/lib/limits';

const props = JSON.parse(readFileSync(new URL('../../fixtures/llama-server/single/props.body.json', import.meta.url), 'utf8'));
const slots = JSON.parse(readFileSync(new URL('../../fixtures/llama-server/single/slots-1-idle-after-requests.body.json', import.meta.url), 'utf8')) as unknown[];

describe('llama-server parsers keep within bounds', () => {
  it('believes at most MAX_SLOTS of total_slots and clips long strings', () => {
    const p = parseProps({ ...props, total_slots: 1e9, build_info: 'b'.repeat(1e6), model_path: `/m/${'x'.repeat(1e6)}.gguf` })!;
    expect(p.totalSlots).toBe(MAX_SLOTS);
    expect(p.build!.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(p.model!.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(parseProps({ ...props, total_slots: -5 })!.totalSlots).toBe(0);
    expect(parseProps(props)!.totalSlots).toBe(props.total_slots);
  });

  it('reads at most MAX_SLOTS entries of /slots', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...(slots[0] as object), id: i }));
    const parsed = parseSlots(many)!;
    expect(parsed).toHaveLength(MAX_SLOTS);
    expect(parsed[MAX_SLOTS - 1].id).toBe(MAX_SLOTS - 1);
  });

  it('reads at most MAX_MODELS of a router list', () => {
    const data = Array.from({ length: 3000 }, (_, i) => ({ id: `m${i}`, status: { value: 'unloaded' } }));
    expect(parseRouterModels({ data })).toHaveLength(MAX_MODELS);
  });
});

describe('parsePrometheus bounds', () => {
  it('refuses a line whose label value is megabytes long, and keeps the others', () => {
    const r = parsePrometheus(`a{x="${'v'.repeat(2e6)}"} 1\nb 2\n`);
    expect(r.samples.map((s) => s.name)).toEqual(['b']);
    expect(r.errors).toEqual([{ line: 1, message: `a: label value longer than ${MAX_TEXT} characters` }]);
  });

  it('refuses a sample with more than MAX_LABELS labels and a megabyte metric name', () => {
    const labels = Array.from({ length: MAX_LABELS + 1 }, (_, i) => `l${i}="v"`).join(',');
    const r = parsePrometheus(`a{${labels}} 1\n${'n'.repeat(1e6)} 1\nok 3\n`);
    expect(r.samples.map((s) => s.name)).toEqual(['ok']);
    expect(r.errors.map((e) => e.message)).toEqual([`a: more than ${MAX_LABELS} labels`, `metric name longer than ${MAX_TEXT} characters`]);
  });

  it('stops after MAX_SAMPLES samples and says the rest was not read', () => {
    const r = parsePrometheus(Array.from({ length: MAX_SAMPLES + 500 }, (_, i) => `s{i="${i}"} ${i}`).join('\n'));
    expect(r.samples).toHaveLength(MAX_SAMPLES);
    expect(r.errors.at(-1)?.message).toMatch(/more than 20000 samples; the rest of the answer was not read/);
  });

  it('lists at most MAX_PARSE_ERRORS bad lines of a body of garbage', () => {
    const r = parsePrometheus('{garbage\n'.repeat(50_000));
    expect(r.errors).toHaveLength(MAX_PARSE_ERRORS + 1);
    expect(r.errors.at(-1)?.message).toMatch(/the rest are not listed/);
  });

  it('never returns more than the bounds allow, whatever the label values and counts (property)', () => {
    // Lengths and counts drawn uniformly: fast-check's own strings and arrays stay short.
    const longish = fc.tuple(fc.integer({ min: 0, max: 3 * MAX_TEXT }), fc.constantFrom('a', ' ', 'é', '{', '=')).map(([n, c]) => c.repeat(n));
    const line = fc.record({
      labels: fc.integer({ min: 0, max: MAX_LABELS + 8 }).chain((n) => fc.array(longish, { minLength: n, maxLength: n })),
      repeat: fc.integer({ min: 1, max: 3 }),
    }).map(({ labels, repeat }) => `m{${labels.map((v, i) => `l${i}="${v}"`).join(',')}} 1\n`.repeat(repeat));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const r = parsePrometheus(lines.join(''));
        expect(r.samples.length).toBeLessThanOrEqual(MAX_SAMPLES);
        expect(r.errors.length).toBeLessThanOrEqual(MAX_PARSE_ERRORS + 1);
        for (const s of r.samples) {
          const values = Object.values(s.labels);
          expect(values.length).toBeLessThanOrEqual(MAX_LABELS);
          for (const v of values) expect(v.length).toBeLessThanOrEqual(MAX_TEXT);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('SeriesBudget', () => {
  it('stores llamacpp: families and derived keys of a llama-server, not foreign metrics', () => {
    expect(isStoredSeries('llama', 'llamacpp:prompt_tokens_total')).toBe(true);
    expect(isStoredSeries('llama', 'llamacpp:a_new_metric{model="tiny"}')).toBe(true);
    expect(isStoredSeries('llama', 'slot_ctx_fill{slot="3"}')).toBe(true);
    expect(isStoredSeries('llama', 'up')).toBe(true);
    expect(isStoredSeries('llama', 'process_cpu_seconds_total')).toBe(false);
    expect(isStoredSeries('exporter', 'llamacpp:prompt_tokens_total')).toBe(false);
  });

  it('stores every series of an exporter snapshot', () => {
    const values = snapshotSeries({
      host: { cpuUtilPct: 1, memUsedBytes: 2, memTotalBytes: 3, load1: 0.5, disks: [{ path: '/', usedBytes: 1, totalBytes: 2 }] },
      gpus: [{ id: '0', utilPct: 1, memUtilPct: 1, memUsedBytes: 1, memTotalBytes: 1, tempC: 1, powerW: 1, powerLimitW: 1, fanPct: 1 }],
    } as unknown as Parameters<typeof snapshotSeries>[0]);
    expect(new SeriesBudget('exporter').admit(values)).toEqual({ values, overCap: 0 });
  });

  it('admits the first MAX_SERIES distinct keys for good: newcomers are dropped, admitted keys that come back are kept', () => {
    const b = new SeriesBudget('llama');
    let dropped = 0;
    const seen = new Set<string>();
    for (let tick = 0; tick < 3000; tick++) {
      const r = b.admit({ up: 1, 'llamacpp:prompt_tokens_total': tick, [`llamacpp:x{id="${tick}"}`]: 1 });
      dropped += r.overCap;
      for (const k of Object.keys(r.values)) seen.add(k);
      expect(r.values.up).toBe(1);
    }
    expect(seen.size).toBe(MAX_SERIES);
    expect(dropped).toBe(3000 - (MAX_SERIES - 2));
    expect(b.admit({ 'llamacpp:x{id="0"}': 5 })).toEqual({ values: { 'llamacpp:x{id="0"}': 5 }, overCap: 0 });
  });
});
