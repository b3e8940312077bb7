import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { configToArgv, exportConfig, flattenArgv, getArg, getCatalogue, type LaunchConfig } from '../../../src/lib/params/index';
import { planContainer } from '../../../src/lib/params/export/container';
import { configArb, nastyString, PRINTER_DIR, runInShell } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'params-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
symlinkSync(join(PRINTER_DIR, 'llama-server'), join(dir, 'docker'));

/** Parses YAML documents with a real YAML parser (PyYAML, through yq), all in one process. */
function parseYamlDocs(texts: string[]): unknown[] {
  const out = execFileSync('yq', ['-c', '.'], { input: texts.map((t) => '---\n' + t).join(''), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
const parseYaml = (text: string) => parseYamlDocs([text])[0];

const noBreaks = nastyString().filter((s) => !/[\r\n]/.test(s));

describe.each(['/bin/bash', '/bin/dash'] as const)('env file sourced by the real %s', (shell) => {
  it('sets every variable to exactly the intended value', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(configArb({ maxArgs: 6, text: noBreaks, extra: fc.constant([]), only: (s) => s.env !== null && s.type !== 'string_pair' }), { minLength: 10, maxLength: 10 }), (configs) => {
        const cat = getCatalogue();
        const commands = configs.map((c) => {
          const file = join(dir, `e${n++}.env`);
          writeFileSync(file, exportConfig(c, 'env', { inlineSecrets: true }).text);
          const names = Object.keys(c.args).map((k) => getArg(cat, k)!.env!);
          return `(set -a; . '${file}'; set +a; llama-server ${names.map((v) => `"\${${v}-unset}"`).join(' ')})`;
        });
        const want = configs.map((c) => Object.entries(c.args).filter(([k, v]) => !(getArg(cat, k)!.type === 'flag' && v === false)).map(([, v]) => String(v)));
        expect(runInShell(shell, commands)).toEqual(want);
      }),
      { numRuns: 10 },
    );
  });
});

describe('docker run', () => {
  it('is run by bash with exactly the intended docker argv', () => {
    fc.assert(
      fc.property(fc.array(configArb({ maxArgs: 6 }), { minLength: 10, maxLength: 10 }), (configs) => {
        const commands = configs.map((c) => exportConfig(c, 'docker', { inlineSecrets: true }).text);
        const got = execFileSync('/bin/bash', ['-c', commands.join('')], {
          env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
        }).split('\n').filter(Boolean).map((l) => JSON.parse(l));
        const want = configs.map((c) => {
          const p = planContainer(c, { inlineSecrets: true });
          return [
            'run', '--rm', '--name', 'llama-server', '-p', p.publish,
            ...p.mounts.flatMap((m) => ['-v', `${m.host}:${m.container}:ro`]),
            ...(p.cacheVolume ? ['-v', `${p.cacheVolume.name}:${p.cacheVolume.container}`] : []),
            p.image, ...flattenArgv(p.items),
          ];
        });
        expect(got).toEqual(want);
      }),
      { numRuns: 10 },
    );
  });

  it('mounts model files read-only, rewrites their paths, listens on 0.0.0.0 inside, publishes the port', () => {
    const config: LaunchConfig = {
      name: 'Qwen 7B',
      args: { '--model': '/srv/llm/qwen 7b.gguf', '--mmproj': '/srv/llm/mmproj.gguf', '--spec-draft-model': '/data/draft.gguf', '--port': 8090, '--api-key': 's3cret', '--ctx-size': 8192 },
      extraArgs: [],
    };
    const out = exportConfig(config, 'docker');
    expect(out.text).toBe(
      ': "${LLAMA_API_KEY:?LLAMA_API_KEY is not set}"\n' +
        'docker run --rm --name qwen-7b \\\n  -p 127.0.0.1:8090:8090 \\\n  -v /srv/llm:/models:ro \\\n  -v /data:/models-2:ro \\\n' +
        "  -e LLAMA_API_KEY \\\n  ghcr.io/ggml-org/llama.cpp:server \\\n  --model '/models/qwen 7b.gguf' \\\n  --mmproj /models/mmproj.gguf \\\n" +
        '  --spec-draft-model /models-2/draft.gguf \\\n  --ctx-size 8192 \\\n  --host 0.0.0.0 \\\n  --port 8090\n',
    );
    expect(out.text).not.toContain('s3cret');
    expect(exportConfig({ args: { '--hf-repo': 'org/m', '--host': '0.0.0.0' }, extraArgs: [] }, 'docker', { image: 'ghcr.io/ggml-org/llama.cpp:server-cuda' }).text)
      .toContain('-p 8080:8080 \\\n  --gpus all \\\n  -v llama-cache:/root/.cache/llama.cpp');
  });
});

describe('Docker Compose', () => {
  it('gives a YAML parser exactly the intended command list (after Compose turns $$ into $)', () => {
    fc.assert(
      fc.property(fc.array(configArb({ maxArgs: 6 }), { minLength: 10, maxLength: 10 }), (configs) => {
        const docs = parseYamlDocs(configs.map((c) => exportConfig(c, 'compose', { inlineSecrets: true }).text)) as { services: Record<string, { command: string[] }> }[];
        const got = docs.map((d) => d.services['llama-server'].command.map((w) => w.replaceAll('$$', '$')));
        expect(got).toEqual(configs.map((c) => flattenArgv(planContainer(c, { inlineSecrets: true }).items)));
      }),
      { numRuns: 10 },
    );
  });

  it('takes secrets from the environment and mounts models read-only', () => {
    const doc = parseYaml(exportConfig({ name: 'm', args: { '--model': '/srv/m.gguf', '--api-key': 'k' }, extraArgs: [] }, 'compose').text);
    expect(doc).toEqual({
      services: {
        m: {
          image: 'ghcr.io/ggml-org/llama.cpp:server',
          command: ['--model', '/models/m.gguf', '--host', '0.0.0.0', '--port', '8080'],
          ports: ['127.0.0.1:8080:8080'],
          volumes: [{ type: 'bind', source: '/srv', target: '/models', read_only: true }],
          environment: { LLAMA_API_KEY: '${LLAMA_API_KEY:?LLAMA_API_KEY is not set}' },
          restart: 'unless-stopped',
        },
      },
    });
  });
});

describe('llama-swap', () => {
  it('gives llama-swap, after its macro and line handling, exactly the intended argv', () => {
    const text = nastyString().filter((s) => !/[\r\n\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|\$\{/.test(s));
    fc.assert(
      fc.property(fc.array(configArb({ maxArgs: 6, text, extra: fc.array(text, { maxLength: 2 }), only: (s) => s.key !== '--port' }), { minLength: 10, maxLength: 10 }), (configs) => {
        const docs = parseYamlDocs(configs.map((c) => exportConfig({ ...c, name: 'm' }, 'llama-swap', { inlineSecrets: true }).text)) as { models: { m: { cmd: string } } }[];
        const cmds = docs.map((doc) => {
          // llama-swap: ${PORT} substituted, '#' lines dropped, trailing '\' joined, then POSIX split.
          return doc.models.m.cmd.replaceAll('${PORT}', '5800').split('\n').filter((l) => !l.trim().startsWith('#')).join(' ');
        });
        const want = configs.map((c) => [...flattenArgv(configToArgv({ args: { ...c.args, '--port': 5800 }, extraArgs: [] }, { inlineSecrets: true }).items), ...c.extraArgs]);
        expect(runInShell('/bin/bash', cmds)).toEqual(want);
      }),
      { numRuns: 10 },
    );
  });

  it('writes a model entry with ${PORT}, a proxy, and secrets as ${env.…} macros', () => {
    const out = exportConfig({ name: 'qwen', args: { '--model': '/m/q.gguf', '--port': 9000, '--api-key': 'k' }, extraArgs: [] }, 'llama-swap');
    expect(parseYaml(out.text)).toEqual({
      models: { qwen: { cmd: 'llama-server\n--model /m/q.gguf\n--port ${PORT}\n', proxy: 'http://127.0.0.1:${PORT}', env: ['LLAMA_API_KEY=${env.LLAMA_API_KEY}'] } },
    });
  });
});
