import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportConfig, importCommand } from '../../../src/lib/params/index';
import { configArb, nastyString, unknownFlagPairs } from './helpers';

describe('POSIX import', () => {
  it('reads back every exported configuration (one-line and multi-line)', () => {
    const text = nastyString();
    fc.assert(
      fc.property(configArb({ maxArgs: 10, text, extra: unknownFlagPairs(text) }), fc.boolean(), (config, multi) => {
        const cmd = exportConfig(config, multi ? 'posix-multiline' : 'posix', { inlineSecrets: true }).text;
        const back = importCommand(cmd, 'posix');
        expect({ args: back.args, extraArgs: back.extraArgs }).toEqual(config);
      }),
      { numRuns: 300 },
    );
  });

  it('understands quoting, continuations, env in front and program paths', () => {
    const r = importCommand(
      `LLAMA_ARG_N_PARALLEL=2 FOO='a b' ./build/bin/llama-server \\\n  -m "/models/my model.gguf" \\\n` +
        `  --alias $'tab\\there' -c 4096 --no-mmap -fa on --temp 0.7 --jinja\\\n  --x-unknown 'v' # comment`,
    );
    expect(r.program).toBe('./build/bin/llama-server');
    expect(r.args).toEqual({
      '--model': '/models/my model.gguf',
      '--alias': 'tab\there',
      '--ctx-size': 4096,
      '--mmap': false,
      '--flash-attn': 'on',
      '--temp': 0.7,
      '--jinja': true,
      '--parallel': 2,
    });
    expect(r.extraArgs).toEqual(['--x-unknown', 'v']);
    expect(r.env).toEqual({ FOO: 'a b' });
    expect(r.warnings).toContain('--x-unknown v: unknown to build b10573, kept as extra arguments');
  });

  it('keeps environment references to secrets as references, and says so', () => {
    const r = importCommand('llama-server -m m.gguf --api-key "$LLAMA_API_KEY" --hf-token "${HF_TOKEN:?}"');
    expect(r.args).toEqual({ '--model': 'm.gguf' });
    expect(r.secretRefs).toEqual({ '--api-key': 'LLAMA_API_KEY', '--hf-token': 'HF_TOKEN' });
    expect(r.warnings.join('\n')).toMatch(/--api-key comes from the environment variable LLAMA_API_KEY/);
  });

  it('reports what it cannot evaluate or does not use instead of dropping it', () => {
    const r = importCommand('cd /srv && nohup llama-server -m $HOME/m.gguf -fa -c 2048 > log.txt 2>&1 &');
    expect(r.args).toEqual({ '--model': '$HOME/m.gguf', '--flash-attn': null, '--ctx-size': 2048 });
    const w = r.warnings.join('\n');
    expect(w).toMatch(/ignored the separate command "cd \/srv"/);
    expect(w).toMatch(/ignored "nohup"/);
    expect(w).toMatch(/contains \$HOME/);
    expect(w).toMatch(/-fa has no value here/);
    expect(w).toMatch(/redirection "> log.txt" ignored/);
    expect(w).toMatch(/redirection ">&1" ignored/);
  });

  it('reads older spellings and says what they are called now', () => {
    const r = importCommand('llama-server -m x.gguf --no-webui -dio');
    expect(r.args).toEqual({ '--model': 'x.gguf', '--ui': false, '--direct-io': true });
    expect(r.warnings).toEqual(['--no-webui is the older name of --no-ui; it is written --no-ui from now on']);
  });

  it('prefers the command line over LLAMA_ARG_ variables, like llama-server', () => {
    const r = importCommand('LLAMA_ARG_CTX_SIZE=8192 LLAMA_ARG_NO_MMAP=1 llama-server -c 1024');
    expect(r.args).toEqual({ '--ctx-size': 1024, '--mmap': false });
    expect(r.warnings.join('\n')).toMatch(/LLAMA_ARG_CTX_SIZE .* overridden by --ctx-size/);
  });
});
