import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAmdSmiJson, parseRocmSmiJson } from '../../../src/lib/gpu-amd-smi';
import { AMD_DEVICE_FILES, AMD_HWMON_FILES, isDrmCardName, parseAmdSysfs, type AmdSysfsFiles } from '../../../src/lib/gpu-amd-sysfs';

const dir = fileURLToPath(new URL('../../fixtures/gpu-samples/amd/', import.meta.url));

function cardFiles(card: string): AmdSysfsFiles {
  const dev = path.join(dir, 'sysfs/drm', card, 'device');
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined);
  const files: AmdSysfsFiles = {};
  for (const f of AMD_DEVICE_FILES) files[f] = read(path.join(dev, f));
  const hw = existsSync(path.join(dev, 'hwmon')) ? readdirSync(path.join(dev, 'hwmon'))[0] : undefined;
  if (hw) for (const f of AMD_HWMON_FILES) files[`hwmon/${f}`] = read(path.join(dev, 'hwmon', hw, f));
  return files;
}

describe('parseAmdSysfs', () => {
  it('reads busy %, VRAM, edge temperature, power and fan from a full card', () => {
    expect(parseAmdSysfs(cardFiles('card0'), 0)).toMatchObject({
      vendor: 'amd', index: 0, name: 'AMD Radeon RX 6800 XT', uuid: '3a1c5e0f92b84d11', busId: '0000:03:00.0',
      utilPct: 42, memUtilPct: 7, memUsedBytes: 5368709120, memTotalBytes: 17163091968,
      tempC: 61, powerW: 187, powerLimitW: 255, fanPct: 40,
    });
  });

  it('skips a card of another vendor', () => {
    expect(parseAmdSysfs(cardFiles('card1'), 1)).toBeNull();
  });

  it('leaves what a newer or smaller card lacks as null and uses power1_input', () => {
    expect(parseAmdSysfs(cardFiles('card2'), 2)).toMatchObject({
      name: 'AMD GPU 1002:7550', uuid: '0000:0b:00.0', utilPct: 9, memUsedBytes: null, memTotalBytes: null,
      tempC: 39, powerW: 19, powerLimitW: null, fanPct: null,
    });
  });

  it('tells cards from connectors and render nodes', () => {
    expect(readdirSync(path.join(dir, 'sysfs/drm')).filter(isDrmCardName).sort()).toEqual(['card0', 'card1', 'card2']);
  });
});

describe('parseRocmSmiJson', () => {
  it('reads every card, falls back across key names, and keeps N/A as null', () => {
    const gpus = parseRocmSmiJson(readFileSync(path.join(dir, 'rocm-smi-two-cards.json'), 'utf8'));
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toMatchObject({ index: 0, name: 'Navi 31 [Radeon RX 7900 XT/7900 XTX]', uuid: '0x5ce1a9b2d7f03e61',
      utilPct: 88, memUtilPct: 31, memUsedBytes: 20401094656, memTotalBytes: 25753026560, tempC: 58, powerW: 243, powerLimitW: 303, fanPct: 47 });
    expect(gpus[1]).toMatchObject({ index: 1, name: 'Instinct MI300X', uuid: '0000:0c:00.0', utilPct: null, tempC: 49, powerW: 402, fanPct: null });
  });
});

describe('parseAmdSmiJson', () => {
  it('reads the list shape with {value, unit} pairs and N/A', () => {
    const gpus = parseAmdSmiJson(readFileSync(path.join(dir, 'amd-smi-metric-list.json'), 'utf8'));
    expect(gpus[0]).toMatchObject({ utilPct: 73, memUtilPct: 12, powerW: 561, tempC: 66, memUsedBytes: 81920 * 1024 ** 2, memTotalBytes: 196592 * 1024 ** 2 });
    expect(gpus[1]).toMatchObject({ index: 1, utilPct: null, powerW: null, tempC: 40 });
  });

  it('reads the gpu_data shape and converts units', () => {
    const [g] = parseAmdSmiJson(readFileSync(path.join(dir, 'amd-smi-metric-gpu-data.json'), 'utf8'));
    expect(g).toMatchObject({ utilPct: 5, memTotalBytes: 16 * 1024 ** 3, memUsedBytes: 512 * 1024 ** 2 });
  });
});
