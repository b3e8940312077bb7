import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parsePrometheus, parsePromValue } from '../../../src/lib/prometheus';

const real = readFileSync(new URL('../../fixtures/llama-server/single/metrics-2-busy.body.txt', import.meta.url), 'utf8');

/** A returned sample is honest when some whitespace/brace-separated token of its own line reads as its value. */
function valueComesFromItsLine(text: string, line: number, value: number): boolean {
  const src = text.split('\n')[line - 1] ?? '';
  return src
    .split(/[\s}]+/)
    .map(parsePromValue)
    .some((v) => v !== null && Object.is(v, value));
}

const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/);
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/);
const labelValue = fc.string({ maxLength: 8 });
const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const value = fc.oneof(
  fc.double({ noNaN: true }).filter(Number.isFinite).map(String),
  fc.constantFrom('NaN', '+Inf', '-Inf', '0', '1e3', '-0.5'),
);
const sampleLine = fc
  .record({
    name,
    labels: fc.uniqueArray(fc.tuple(labelName, labelValue), { selector: (t) => t[0], maxLength: 3 }),
    value,
    ts: fc.option(fc.integer({ min: -1e12, max: 1e13 }), { nil: undefined }),
  })
  .map(({ name, labels, value, ts }) => {
    const lbl = labels.length ? `{${labels.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}` : '';
    return { text: `${name}${lbl} ${value}${ts === undefined ? '' : ` ${ts}`}`, name, labels, value };
  });

describe('parsePrometheus properties', () => {
  it('reads back every well-formed sample it is given, labels included', () => {
    fc.assert(
      fc.property(fc.array(sampleLine, { maxLength: 20 }), fc.boolean(), (lines, crlf) => {
        const text = lines.map((l) => l.text).join(crlf ? '\r\n' : '\n');
        const r = parsePrometheus(text);
        expect(r.errors).toEqual([]);
        expect(r.samples).toHaveLength(lines.length);
        r.samples.forEach((s, i) => {
          expect(s.name).toBe(lines[i].name);
          expect({ ...s.labels }).toEqual(Object.fromEntries(lines[i].labels));
          expect(Object.is(s.value, parsePromValue(lines[i].value))).toBe(true);
        });
      }),
    );
  });

  it('never throws and never invents a value on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (text) => {
        const r = parsePrometheus(text);
        for (const s of r.samples) expect(valueComesFromItsLine(text, s.line, s.value)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws and never invents a value on mutated real output', () => {
    const mutation = fc.record({
      at: fc.nat({ max: real.length }),
      del: fc.nat({ max: 12 }),
      ins: fc.string({ maxLength: 6, unit: fc.constantFrom('{', '}', '"', '\\', '=', ',', ' ', '\n', '\r', '#', 'e', '.', '-', '9', 'N', 'I') }),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 8 }), (muts) => {
        let text = real;
        for (const m of muts) text = text.slice(0, m.at) + m.ins + text.slice(m.at + m.del);
        const r = parsePrometheus(text);
        for (const s of r.samples) expect(valueComesFromItsLine(text, s.line, s.value)).toBe(true);
        for (const e of r.errors) expect(e.line).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
