import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NVIDIA_FIELDS, isUnknownFieldError, parseNvidiaCsv, parseNvidiaLine, parseNvidiaList,
} from '../../../src/lib/gpu-nvidia-csv';
import { parseMeasure } from '../../../src/lib/gpu-sample';

const sample = (name: string) => readFileSync(new URL(`../../fixtures/gpu-samples/nvidia-smi/${name}`, import.meta.url), 'utf8');
const MIB = 1024 * 1024;

describe('parseMeasure', () => {
  it.each(['[N/A]', 'N/A', '[Not Supported]', '[Requested functionality has been deprecated]', '[Insufficient Permissions]', '', '  ', 'n/a', 'Enabled'])(
    'reads %j as missing, not 0', (cell) => expect(parseMeasure(cell)).toBeNull());

  it('drops units and keeps decimals', () => {
    expect(parseMeasure('38 %')).toBe(38);
    expect(parseMeasure('214 MiB')).toBe(214);
    expect(parseMeasure('39.32 W')).toBe(39.32);
    expect(parseMeasure('61000\n')).toBe(61000);
    expect(parseMeasure('11\n\0')).toBe(11);
  });

  it('never turns a bracketed marker into a number', () => {
    fc.assert(fc.property(fc.string(), (s) => parseMeasure(`[${s}]`) === null));
  });

  it('reads back any finite number it is given', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
      expect(parseMeasure(String(n))).toBe(n === 0 ? 0 : n);
    }));
  });
});

describe('parseNvidiaCsv', () => {
  it('reads a header with units, two GPUs, and every missing marker as null', () => {
    const { gpus, errors } = parseNvidiaCsv(sample('two-gpus-with-units.csv'));
    expect(errors).toEqual([]);
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toMatchObject({
      index: 0, uuid: 'GPU-1b2c3d4e-0000-1111-2222-333344445555', name: 'NVIDIA GeForce RTX 3090', vendor: 'nvidia',
      busId: '00000000:01:00.0', utilPct: 63, memUtilPct: 21, memUsedBytes: 17012 * MIB, memTotalBytes: 24576 * MIB,
      tempC: 71, powerW: 301.45, powerLimitW: 350, fanPct: 68, migMode: null,
    });
    expect(gpus[1]).toMatchObject({ index: 1, name: 'Tesla P40', utilPct: 0, memUsedBytes: 0, powerW: null, fanPct: null });
  });

  it('reads noheader,nounits rows in the order the exporter asks, including MIG and broken rows', () => {
    const { gpus, errors } = parseNvidiaCsv(sample('stream-nounits.csv'), NVIDIA_FIELDS);
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2]);
    expect(gpus[0]).toMatchObject({ migMode: true, utilPct: null, memUsedBytes: 11125 * MIB, tempC: 53, powerW: 433.78 });
    expect(gpus[1]).toMatchObject({ migMode: false, utilPct: 100, memUtilPct: 44, busId: '00000000:2A:00.0' });
    expect(gpus[2]).toMatchObject({ utilPct: null, memUsedBytes: null, memTotalBytes: 81559 * MIB, tempC: null, powerW: null, memUtilPct: null });
    expect(errors).toEqual(['Unable to determine the device handle for GPU 00000000:4A:00.0: Unknown Error']);
  });

  it('takes power.draw.average when power.draw is missing', () => {
    const text = 'index, name, power.draw [W], power.draw.average [W], power.draw.instant [W]\n0, X, [N/A], 80.5 W, 90 W\n';
    expect(parseNvidiaCsv(text).gpus[0].powerW).toBe(80.5);
  });

  it('never throws and never invents GPUs from arbitrary text', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const r = parseNvidiaCsv(s);
      for (const g of r.gpus) expect(Number.isInteger(g.index)).toBe(true);
    }));
  });
});

describe('parseNvidiaLine', () => {
  it('keeps an empty last cell as missing', () => {
    const g = parseNvidiaLine('3, GPU-x, Y, 5, ', ['index', 'uuid', 'name', 'utilization.gpu', 'temperature.gpu']);
    expect(g).toMatchObject({ index: 3, utilPct: 5, tempC: null });
  });

  it('refuses a line with the wrong number of cells', () => {
    expect(parseNvidiaLine('No devices were found', NVIDIA_FIELDS)).toBeNull();
  });
});

describe('parseNvidiaList', () => {
  it('maps MIG devices to their parent GPU', () => {
    const mig = parseNvidiaList(sample('list-mig.txt'));
    expect(mig.get(0)).toEqual([
      { profile: '4g.40gb', index: 0, uuid: 'MIG-bbbb0000-0000-0000-0000-000000000000' },
      { profile: '2g.20gb', index: 1, uuid: 'MIG-bbbb0001-0000-0000-0000-000000000000' },
      { profile: '1g.10gb', index: 2, uuid: 'MIG-bbbb0002-0000-0000-0000-000000000000' },
    ]);
    expect(mig.get(1)).toEqual([]);
  });
});

it('recognises the old-driver "not a valid field" refusal', () => {
  expect(isUnknownFieldError(sample('old-driver-unknown-field.txt'))).toBe(true);
  expect(isUnknownFieldError('Failed to initialize NVML: Driver/library version mismatch')).toBe(false);
});

describe('real H200 output (driver 580) with the exporter\'s field list', () => {
  it('reads every -lms line of the stream the same way as the one-shot form with units', () => {
    const stream = sample('h200-driver-580-lms.csv').trim().split('\n');
    expect(stream.length).toBeGreaterThan(3);
    const rows = stream.map((l) => parseNvidiaLine(l, NVIDIA_FIELDS));
    for (const g of rows) {
      expect(g).toMatchObject({ index: 0, name: 'NVIDIA H200', memTotalBytes: 143771 * MIB, powerLimitW: 700, fanPct: null, migMode: false });
      expect(g!.powerW).toBeGreaterThan(70);
    }
    const [withUnits] = parseNvidiaCsv(sample('h200-driver-580-with-units.csv')).gpus;
    expect(withUnits).toEqual(rows[0]);
    expect(parseNvidiaList(sample('h200-driver-580-list.txt')).get(0)).toEqual([]);
  });
});
