import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chartCsv, csvCell, csvFileName, toCsv } from '../../../src/lib/csv';

/** A small RFC 4180 reader, to check that what we write reads back as the same cells. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += c;
  }
  return rows;
}

describe('csv', () => {
  it('neutralises text a spreadsheet would run as a formula, and leaves numbers alone', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell(-3.5)).toBe('-3.5');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell('plain words')).toBe('plain words');
  });

  it('reads back as the same cells, whatever the text (quotes, commas, line breaks)', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), { maxLength: 5 }), (rows) => {
      const width = Math.max(1, ...rows.map((r) => r.length));
      const header = Array.from({ length: width }, (_, i) => `c${i}`);
      const padded = rows.map((r) => [...r, ...new Array<string>(width - r.length).fill('x')]);
      const back = readCsv(toCsv(header, padded));
      expect(back[0]).toEqual(header);
      const expected = padded.map((r) => r.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
      expect(back.slice(1)).toEqual(expected);
    }));
  });

  it('writes a chart as ISO time, epoch ms and one column per series, with gaps empty', () => {
    const text = chartCsv(
      [{ key: 'gen_tps', label: 'Generation tok/s' }, { key: 'missing', label: 'Prompt tok/s' }],
      [1_760_000_000, 1_760_000_001],
      { gen_tps: [41.5, null] },
    );
    expect(readCsv(text)).toEqual([
      ['time', 'time_ms', 'Generation tok/s', 'Prompt tok/s'],
      ['2025-10-09T08:53:20.000Z', '1760000000000', '41.5', ''],
      ['2025-10-09T08:53:21.000Z', '1760000001000', '', ''],
    ]);
  });

  it('names files after the title and the time', () => {
    expect(csvFileName('GPU 0: memory (MiB)', new Date('2026-11-27T16:59:01Z'))).toBe('gpu-0-memory-mib-2026-11-27-16-59-01.csv');
    expect(csvFileName('GPU 0', new Date('2026-11-27T16:59:01Z'), 'png')).toBe('gpu-0-2026-11-27-16-59-01.png');
  });
});
