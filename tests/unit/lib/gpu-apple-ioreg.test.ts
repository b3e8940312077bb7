import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseIoreg } from '../../../src/lib/gpu-apple-ioreg';

const sample = (name: string) => readFileSync(new URL(`../../fixtures/gpu-samples/apple/${name}`, import.meta.url), 'utf8');

it('reads Apple Silicon utilisation and memory in use; total is the unified memory; no temperature', () => {
  const [g, ...rest] = parseIoreg(sample('ioreg-m2-pro.txt'), 32 * 1024 ** 3);
  expect(rest).toEqual([]);
  expect(g).toMatchObject({ vendor: 'apple', name: 'Apple M2 Pro', uuid: '0x1000002d5', utilPct: 57,
    memUsedBytes: 1448165376, memTotalBytes: 32 * 1024 ** 3, tempC: null, powerW: null });
});

it('reads discrete VRAM on Intel Macs and skips entries without statistics', () => {
  const gpus = parseIoreg(sample('ioreg-intel-mac-two-gpus.txt'), 16 * 1024 ** 3);
  expect(gpus.map((g) => [g.vendor, g.utilPct, g.memUsedBytes, g.memTotalBytes])).toEqual([
    ['intel', 3, null, null],
    ['amd', 24, 1073741824, 4294967296],
  ]);
});

it('returns nothing for empty output', () => {
  expect(parseIoreg('', 1)).toEqual([]);
});
