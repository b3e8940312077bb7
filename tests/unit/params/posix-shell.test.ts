import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configToArgv, exportConfig, flattenArgv, type LaunchConfig } from '../../../src/lib/params/index';
import { configArb, nastyString, runInShell } from './helpers';

// 10 runs x 10 configurations x 2 layouts = 200 commands per shell, in 10 shell processes.
const RUNS = 10;
const BATCH = 10;

function intendedArgv(c: LaunchConfig, env: Record<string, string> = {}): string[] {
  return flattenArgv(configToArgv(c, { inlineSecrets: Object.keys(env).length === 0 }).items, (n) => env[n]);
}

describe.each(['/bin/bash', '/bin/dash'] as const)('POSIX command run by the real %s', (shell) => {
  it('passes exactly the intended argv to llama-server, one-line and multi-line', () => {
    fc.assert(
      fc.property(fc.array(configArb(), { minLength: BATCH, maxLength: BATCH }), (configs) => {
        const commands = configs.flatMap((c) => [
          exportConfig(c, 'posix', { inlineSecrets: true }).text,
          exportConfig(c, 'posix-multiline', { inlineSecrets: true }).text,
        ]);
        const want = configs.flatMap((c) => [intendedArgv(c), intendedArgv(c)]);
        expect(runInShell(shell, commands)).toEqual(want);
      }),
      { numRuns: RUNS },
    );
  });

  it('takes secrets from the environment when they are not inlined', () => {
    const secret = nastyString().filter((s) => s.length > 0);
    fc.assert(
      fc.property(fc.array(configArb({ maxArgs: 3 }), { minLength: BATCH, maxLength: BATCH }), secret, secret, (configs, key, token) => {
        const env = { LLAMA_API_KEY: key, HF_TOKEN: token };
        const withSecrets = configs.map((c) => ({ ...c, args: { '--api-key': 'not this', ...c.args, '--hf-token': 'nor this' } }));
        const commands = withSecrets.map((c) => exportConfig(c, 'posix-multiline').text);
        for (const cmd of commands) expect(cmd).not.toContain('this');
        expect(runInShell(shell, commands, env)).toEqual(withSecrets.map((c) => intendedArgv(c, env)));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses to start when a referenced secret is not set', () => {
    const cmd = exportConfig({ args: { '--api-key': 'k' }, extraArgs: [] }, 'posix').text;
    expect(() => runInShell(shell, [cmd])).toThrow(/LLAMA_API_KEY is not set/);
  });
});
