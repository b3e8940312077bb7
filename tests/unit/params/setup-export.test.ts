import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportSetup, importSetup, type SetupConfig } from '../../../src/lib/params/index';
import { runInShell } from './helpers';

// Our own llama-swap file; checks against llama-swap's own schema and example run in the conformance
// suite (tests/conformance/llama-swap.test.ts), which reads them from ../shared/fixtures.
const example = readFileSync(new URL('../../fixtures/setups/llama-swap.yaml', import.meta.url), 'utf8');
/** YAML read by a second, independent parser (PyYAML through yq). */
const yq = (text: string) => JSON.parse(execFileSync('yq', ['-c', '.'], { input: text, encoding: 'utf8' }));

const configs: SetupConfig[] = [
  { name: 'qwen', args: { '--model': "/m/it's qwen.gguf", '--ctx-size': 8192, '--flash-attn': 'on', '--port': 8081 }, extraArgs: [] },
  { name: 'gemma', args: { '--hf-repo': 'org/gemma:Q4_K_M', '--ctx-size': 8192, '--flash-attn': 'on', '--api-key': 'k', '--port': 8082 }, extraArgs: ['--new-flag', 'x y'] },
];

describe('setup export', () => {
  it('writes an imported llama-swap file back with its groups, fields and kept sections', () => {
    const setup = importSetup(example, 'llama-swap');
    const out = exportSetup(setup.models.map((m) => ({ ...m, name: m.name })), 'llama-swap', {}, setup);
    expect(out.errors).toEqual([]);
    const doc = yq(out.text);
    // Members the export does not define stay listed, as llama-swap allows (peers may serve them).
    expect(doc.routing.router.settings.groups.tools.members).toEqual(['coder-small', 'container-embed', 'mistral-large']);
    expect(doc.routing.router.settings.matrix).toBeDefined();
    expect(doc.hooks).toEqual(setup.keptAside.hooks);
    expect(doc.models['mistral-large']).toMatchObject({ ttl: 300, aliases: ['gpt-4o'], env: ['CUDA_VISIBLE_DEVICES=0,1'] });
    const again = importSetup(out.text, 'llama-swap');
    expect(again.models.map((m) => [m.name, m.args])).toEqual(setup.models.map((m) => [m.name, m.args]));
  });

  it('writes a llama-swap file whose commands a real shell splits into the intended arguments', () => {
    const out = exportSetup(configs, 'llama-swap', {}, { groups: [{ name: 'pair', members: ['qwen', 'gemma'], swap: false }] });
    expect(out.errors).toEqual([]);
    const doc = yq(out.text);
    expect(doc.models.gemma.env).toEqual(['LLAMA_API_KEY=${env.LLAMA_API_KEY}']);
    const cmd = (c: string) =>
      c.split('\n').filter((l) => l.trim()).map((l) => l.replaceAll('${shared_flags}', doc.macros.shared_flags).replaceAll('${PORT}', '9000')).join(' ');
    const [qwen] = runInShell('/bin/bash', [cmd(doc.models.qwen.cmd)]);
    expect(qwen).toEqual(expect.arrayContaining(['--model', "/m/it's qwen.gguf", '--port', '9000']));
    expect(doc.routing.router.settings.groups).toEqual({ pair: { members: ['qwen', 'gemma'], swap: false } });
  });

  it('puts the program and flags every model shares into one macro, read back to the same configurations', () => {
    const out = exportSetup(configs, 'llama-swap', { binary: '/opt/llama.cpp/llama-server' });
    expect(out.errors).toEqual([]);
    const doc = yq(out.text);
    expect(doc.macros.shared_flags).toBe("/opt/llama.cpp/llama-server --ctx-size 8192 --flash-attn on");
    for (const m of Object.values(doc.models) as { cmd: string }[]) {
      expect(m.cmd.split('\n')[0]).toBe('${shared_flags}');
      expect(m.cmd).not.toContain('--ctx-size');
    }
    const back = importSetup(out.text, 'llama-swap');
    const plain = importSetup(exportSetup(configs.slice(0, 1), 'llama-swap').text + exportSetup(configs.slice(1), 'llama-swap').text.replace('models:\n', ''), 'llama-swap');
    expect(back.models.map((m) => [m.name, m.args, m.extraArgs])).toEqual(plain.models.map((m) => [m.name, m.args, m.extraArgs]));
    expect(back.models[1].args).toMatchObject({ '--ctx-size': 8192, '--flash-attn': 'on', '--hf-repo': 'org/gemma:Q4_K_M' });
  });

  it('writes no macro when the models share only the program, and keeps a taken macro name', () => {
    const apart = exportSetup([{ name: 'a', args: { '--ctx-size': 1 }, extraArgs: [] }, { name: 'b', args: { '--ctx-size': 2 }, extraArgs: [] }], 'llama-swap');
    expect(yq(apart.text).macros).toBeUndefined();
    const named = yq(exportSetup(configs, 'llama-swap', {}, { macros: { shared_flags: 'mine' } }).text);
    expect(named.macros).toMatchObject({ shared_flags: 'mine', shared_flags_2: expect.stringContaining('--flash-attn on') });
  });

  it('writes one preset with the shared settings in [*], read back to the same configurations', () => {
    const out = exportSetup(configs.map((c) => ({ ...c, extraArgs: [] })), 'preset-ini');
    expect(out.errors).toEqual([]);
    expect(out.text).toMatch(/^version = 1\n\n\[\*\]\nctx-size = 8192\nflash-attn = on\n\n\[qwen\]\n/);
    const back = importSetup(out.text, 'preset-ini');
    expect(back.models.map((m) => m.name)).toEqual(['qwen', 'gemma']);
    expect(back.models[0].args).toEqual({ '--ctx-size': 8192, '--flash-attn': 'on', '--model': "/m/it's qwen.gguf" });
  });

  it('writes one Compose file with a service each, parsed by yq, and refuses two services on one port', () => {
    const out = exportSetup(configs, 'compose');
    expect(out.errors).toEqual([]);
    const doc = yq(out.text);
    expect(Object.keys(doc.services)).toEqual(['qwen', 'gemma']);
    expect(doc.services.qwen.command).toEqual(['--model', "/models/it's qwen.gguf", '--ctx-size', '8192', '--flash-attn', 'on', '--host', '0.0.0.0', '--port', '8081']);
    expect(doc.services.gemma.ports).toEqual(['127.0.0.1:8082:8082']);
    expect(doc.volumes).toHaveProperty('llama-cache');
    const clash = exportSetup([configs[0], { ...configs[1], args: { ...configs[1].args, '--port': 8081 } }], 'compose');
    expect(clash.errors.join('\n')).toMatch(/publishes 127\.0\.0\.1:8081, as qwen does/);
    expect(exportSetup([configs[0], configs[0]], 'preset-ini').errors[0]).toMatch(/two configurations are named qwen/);
  });
});
