import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectSetupFormat, importCommand, importSetup, IMPORT_FORMATS, MAX_FILE_CHARS, SETUP_FORMATS } from '../../../src/lib/params/index';

// Our own llama-swap file; llama-swap's example is read by the conformance suite (tests/conformance/llama-swap.test.ts).
const example = readFileSync(new URL('../../fixtures/setups/llama-swap.yaml', import.meta.url), 'utf8');

describe('whole llama-swap file', () => {
  const setup = importSetup(example, 'llama-swap');

  it('finds every model with its macros expanded (model macros over global ones)', () => {
    expect(detectSetupFormat(example)).toBe('llama-swap');
    expect(setup.models.map((m) => m.name)).toEqual(['mistral-large', 'coder-small', 'container-embed']);
    const big = setup.models[0];
    expect(big.program).toBe('/opt/llama.cpp/build/bin/llama-server');
    expect(big.args).toEqual({ '--model': '${env.HOME}/weights/mistral-large-Q4_K_M.gguf', '--ctx-size': 32768, '--temp': 0.3 });
    expect(big.warnings).toContain('--port is assigned by llama-swap (${PORT})');
    expect(big.swap).toMatchObject({ ttl: 300, aliases: ['gpt-4o'], proxy: 'http://127.0.0.1:9100', env: ['CUDA_VISIBLE_DEVICES=0,1'] });
    expect(setup.models[1].args).toMatchObject({ '--ctx-size': 8192 });
    expect(setup.models[1].swap).toMatchObject({ unlisted: true });
    const docker = setup.models[2];
    expect(docker.args).toEqual({ '--model': '/models/bge-small-Q8_0.gguf', '--embedding': true });
    expect(docker.warnings.join('\n')).toMatch(/container options .* are not kept/);
  });

  it('reads groups from routing.router.settings and keeps the sections it does not model', () => {
    expect(setup.groups.map((g) => [g.name, g.members.length])).toEqual([['chat', 2], ['tools', 3], ['always', 3]]);
    expect(setup.groups[2]).toMatchObject({ persistent: true, swap: false, exclusive: false });
    for (const k of ['hooks', 'profiles', 'peers', 'apiKeys', 'healthCheckTimeout', 'startPort']) expect(setup.keptAside).toHaveProperty(k);
    const routing = setup.keptAside.routing as { router: { settings: Record<string, unknown> } };
    expect(Object.keys(routing.router.settings)).toEqual(['matrix']);
    expect(setup.macros).toHaveProperty('ctx_default', 8192);
  });

  it('reads top-level groups of older files, keeps ${env.X} as a reference and refuses circular macros', () => {
    const old = 'macros:\n  dir: "${env.HOME}/models"\nmodels:\n  a:\n    cmd: llama-server -m ${dir}/a.gguf --port ${PORT}\n  b:\n    cmd: llama-server -m ${dir}/b.gguf -c ${nope}\ngroups:\n  both:\n    swap: false\n    members: [a, b]\n';
    const s = importSetup(old, 'llama-swap');
    expect(s.models[0].args['--model']).toBe('${env.HOME}/models/a.gguf');
    expect(s.models[1].warnings.join('\n')).toMatch(/\$\{nope\} is not a macro/);
    expect(s.groups).toEqual([{ name: 'both', members: ['a', 'b'], swap: false }]);
    expect(() => importSetup('macros:\n  a: "${b}"\n  b: "${a}"\nmodels:\n  m:\n    cmd: llama-server ${a}\n', 'llama-swap')).toThrow(/circle/);
  });
});

describe('whole preset INI and Compose file', () => {
  it('applies [*] to every section and reads one configuration per section', () => {
    const ini = 'version = 1\n[*]\nctx-size = 8192\nflash-attn = on\n\n[qwen]\nmodel = /m/qwen.gguf\nctx-size = 32768\n[gemma]\nhf-repo = org/gemma:Q4_K_M\n';
    expect(detectSetupFormat(ini)).toBe('preset-ini');
    const s = importSetup(ini, 'preset-ini');
    expect(s.models.map((m) => [m.name, m.args])).toEqual([
      ['qwen', { '--ctx-size': 32768, '--flash-attn': 'on', '--model': '/m/qwen.gguf' }],
      ['gemma', { '--ctx-size': 8192, '--flash-attn': 'on', '--hf-repo': 'org/gemma:Q4_K_M' }],
    ]);
    expect(s.warnings).toContain('[*] applies to every model: ctx-size, flash-attn');
  });

  it('reads every llama.cpp service of a Compose file and names the others', () => {
    const compose = `services:\n  chat:\n    image: ghcr.io/ggml-org/llama.cpp:server-cuda\n    command: ["-m", "/models/q.gguf", "--host", "0.0.0.0", "--port", "8080", "-ngl", "99"]\n    ports: ["127.0.0.1:8080:8080"]\n  embed:\n    image: ghcr.io/ggml-org/llama.cpp:server\n    command: -m /models/e.gguf --embedding --api-key $$KEY\n  db:\n    image: postgres:17\n`;
    expect(detectSetupFormat(compose)).toBe('compose');
    const s = importSetup(compose, 'compose');
    expect(s.models.map((m) => m.name)).toEqual(['chat', 'embed']);
    expect(s.models[0].args).toEqual({ '--model': '/models/q.gguf', '--port': 8080, '--gpu-layers': 99 });
    expect(s.models[0].program).toBe('ghcr.io/ggml-org/llama.cpp:server-cuda');
    expect(s.models[1].args).toMatchObject({ '--model': '/models/e.gguf', '--embedding': true });
    expect(s.warnings.join('\n')).toMatch(/service db \(postgres:17\) does not run llama-server/);
  });

  it('says what is wrong with a file that is not the format', () => {
    expect(() => importSetup('services: [1', 'compose')).toThrow(/not valid YAML/);
    expect(() => importSetup('a: 1\n', 'llama-swap')).toThrow(/no "models:" section/);
    expect(() => importSetup('just text\n', 'preset-ini')).toThrow(/no model section/);
  });
});

describe('adversarial pastes', () => {
  const N = MAX_FILE_CHARS - 16;
  const runs: Record<string, string> = {
    quotes: '"'.repeat(N), singleQuotes: "'".repeat(N), backslashes: '\\'.repeat(N), spaces: ' '.repeat(N - 1) + 'x',
    dollars: '$'.repeat(N), brackets: '['.repeat(N), bracketSpaces: '[' + ' '.repeat(N - 2) + 'x', blankLines: ' \n'.repeat(N / 2),
    mixed: '"\\\' $`#;'.repeat(Math.floor(N / 8)), ampQuote: '& "'.repeat(Math.floor(N / 3)),
    quoteLines: ('"'.repeat(8000) + '\n').repeat(31), bracketLines: ('['.repeat(30) + '\n').repeat(8000),
  };

  it('are read or refused with a message by every reader, never left hanging or crashing', () => {
    for (const [name, text] of Object.entries(runs)) {
      for (const f of IMPORT_FORMATS) {
        let outcome: string;
        try {
          const r = importCommand(text, f.id);
          outcome = Array.isArray(r.warnings) ? 'read' : 'bad';
        } catch (e) {
          outcome = /KiB|not valid YAML|no "models:"|no model|quote characters|nested/.test((e as Error).message) ? 'refused' : `crashed: ${(e as Error).message}`;
        }
        expect(['read', 'refused'], `${f.id} on ${name}`).toContain(outcome);
      }
      for (const f of SETUP_FORMATS) {
        let outcome = 'read';
        try {
          importSetup(text, f.id);
        } catch (e) {
          outcome = /KiB|not valid YAML|no "models:"|no "services:"|no model section|no service|quote characters|nested/.test((e as Error).message) ? 'refused' : `crashed: ${(e as Error).message}`;
        }
        expect(['read', 'refused'], `${f.id} on ${name}`).toContain(outcome);
      }
    }
  }, 120_000);

  it('refuses a paste over the limit with its size in words', () => {
    const big = 'x'.repeat(MAX_FILE_CHARS + 1);
    expect(() => importCommand(big)).toThrow(/1024 KiB; a pasted file is read up to 1024 KiB/);
    expect(() => importCommand('llama-server ' + 'a'.repeat(70_000), 'posix')).toThrow(/a command is read up to 64 KiB/);
    expect(() => importSetup(big, 'llama-swap')).toThrow(/a YAML file is read up to 256 KiB/);
    expect(() => importSetup(big, 'preset-ini')).toThrow(/a preset file is read up to 1024 KiB/);
  });
});
