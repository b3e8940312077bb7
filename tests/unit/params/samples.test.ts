import { describe, expect, it } from 'vitest';
import { configToArgv, getCatalogue, SAMPLE_CONFIGS, stripDefaults, validateConfig } from '../../../src/lib/params/index';

describe('sample configurations offered on an empty Models page', () => {
  it.each(SAMPLE_CONFIGS.map((s) => [s.name, s] as const))('%s is valid against the built-in catalogue, with no warning', (_name, sample) => {
    expect(validateConfig({ args: sample.args, extraArgs: [] }, getCatalogue())).toEqual([]);
  });

  it.each(SAMPLE_CONFIGS.map((s) => [s.name, s] as const))('%s stores only non-default values and turns /metrics on', (_name, sample) => {
    expect(stripDefaults(sample.args)).toEqual(sample.args);
    expect(sample.args['--metrics']).toBe(true);
    expect(configToArgv({ args: sample.args, extraArgs: [] }).errors).toEqual([]);
  });

  it('have distinct names', () => {
    expect(new Set(SAMPLE_CONFIGS.map((s) => s.name)).size).toBe(SAMPLE_CONFIGS.length);
  });
});
