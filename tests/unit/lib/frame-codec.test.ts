import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { checkValue, decodeFrame, decodeRollup, encodeFrame, encodeRollup } from '../../../src/lib/frame-codec';

describe('frame codec', () => {
  test('round-trips any finite value exactly, null and absent keys as NaN', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }), { maxLength: 60 }), (vals) => {
      const keys = vals.map((_, i) => `k${i}`);
      const values = Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
      const back = Array.from(decodeFrame(encodeFrame([...keys, 'absent'], values)));
      expect(back.slice(0, -1)).toEqual(vals.map((v) => (v === null ? NaN : v)));
      expect(back.at(-1)).toBeNaN();
    }));
  });

  test('decodes a blob that is not 8-byte aligned', () => {
    const bytes = encodeFrame(['a', 'b'], { a: 1.5, b: -2 });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(Array.from(decodeFrame(shifted.subarray(3)))).toEqual([1.5, -2]);
    const r = encodeRollup(Float64Array.from([1, 2, 1.5, 2]));
    const rs = new Uint8Array(r.length + 1);
    rs.set(r, 1);
    expect(Array.from(decodeRollup(rs.subarray(1)))).toEqual([1, 2, 1.5, 2]);
  });

  test('refuses values that are not numbers, naming the series', () => {
    expect(() => checkValue('gen_tps', Infinity)).toThrow('Series "gen_tps"');
    expect(() => checkValue('x', '3')).toThrow('need a finite number or null');
    expect(checkValue('x', NaN)).toBeNaN();
  });
});
