import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportConfig, importCommand, type ExportFormat, type ImportFormat, type LaunchConfig } from '../../../src/lib/params/index';
import { configArb, nastyString, unknownFlagPairs } from './helpers';

const RUNS = 300;

function roundTrip(config: LaunchConfig, out: ExportFormat, back: ImportFormat) {
  const written = exportConfig(config, out, { inlineSecrets: true });
  expect(written.errors).toEqual([]);
  return importCommand(written.text, back);
}

describe('import(export(config)) gives the configuration back', () => {
  it('PowerShell', () => {
    const text = nastyString();
    fc.assert(
      fc.property(configArb({ maxArgs: 10, text, extra: unknownFlagPairs(text) }), (config) => {
        const r = roundTrip(config, 'powershell', 'powershell');
        expect({ args: r.args, extraArgs: r.extraArgs }).toEqual(config);
      }),
      { numRuns: RUNS },
    );
  });

  it('env file (arguments that have a variable; no line breaks)', () => {
    const text = nastyString().filter((s) => !/[\r\n]/.test(s));
    fc.assert(
      fc.property(configArb({ maxArgs: 10, text, extra: fc.constant([]), only: (s) => s.env !== null && s.type !== 'string_pair' }), (config) => {
        const r = roundTrip(config, 'env', 'env');
        expect({ args: r.args, extraArgs: r.extraArgs, env: r.env }).toEqual({ ...config, env: {} });
      }),
      { numRuns: RUNS },
    );
  });

  it('router preset INI (values a preset can hold)', () => {
    const text = nastyString().map((s) => s.replace(/[;#\r\n]/g, '').trim());
    const only = (s: { type: string; key: string }) => s.type !== 'string_pair' && !['--port', '--host', '--version'].includes(s.key);
    fc.assert(
      fc.property(configArb({ maxArgs: 10, text, extra: fc.constant([]), only }), fc.stringMatching(/^[\w.-][\w .-]*[\w.-]$/), (config, name) => {
        const r = roundTrip({ ...config, name }, 'preset-ini', 'preset-ini');
        expect({ name: r.name, args: r.args, extraArgs: r.extraArgs }).toEqual({ name, ...config });
      }),
      { numRuns: RUNS },
    );
  });

  it('llama-swap entry whose name holds backslash sequences (found by the property below)', () => {
    for (const name of ['\\x00', '\\u0041', 'a\\\\x41b', '\\"', 'tab\\t']) {
      expect(roundTrip({ args: {}, extraArgs: [], name }, 'llama-swap', 'llama-swap').name).toBe(name);
    }
  });

  it('llama-swap entry (no line breaks, macros or control characters)', () => {
    const text = nastyString().filter((s) => !/[\r\n\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|\$\{/.test(s));
    fc.assert(
      fc.property(
        configArb({ maxArgs: 10, text, extra: unknownFlagPairs(text), only: (s) => s.key !== '--port' }),
        fc.string({ minLength: 1, maxLength: 12 }).filter((n) => n.trim() === n && !/[\r\n]/.test(n)),
        (config, name) => {
          const r = roundTrip({ ...config, name }, 'llama-swap', 'llama-swap');
          expect({ name: r.name, args: r.args, extraArgs: r.extraArgs }).toEqual({ name, ...config });
        },
      ),
      { numRuns: RUNS },
    );
  });
});
