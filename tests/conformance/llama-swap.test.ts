import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { exportSetup, importSetup, type SetupConfig } from '../../src/lib/params/index';

// llama-swap's own schema and full example (MIT, ../shared/fixtures/llama-swap), read in place: what the
// dashboard reads and writes is checked against the tool's own definition of its file.
const dir = join(process.env.FIXTURES_DIR ?? '../shared/fixtures', 'llama-swap');
const schema = JSON.parse(readFileSync(join(dir, 'config-schema.json'), 'utf8'));
const example = readFileSync(join(dir, 'config.example.yaml'), 'utf8');
// The schema names draft-07 by its https address, which Ajv (draft-07 by default) does not list.
const validate = new Ajv({ strict: false, allErrors: true }).compile({ ...schema, $schema: undefined });
/** YAML read by a second, independent parser (PyYAML through yq). */
const yq = (text: string) => JSON.parse(execFileSync('yq', ['-c', '.'], { input: text, encoding: 'utf8' }));

describe('llama-swap files against llama-swap\'s own schema and example', () => {
  it('the example itself is valid under the schema (the check can pass)', () => {
    expect(validate(yq(example)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('imports every model of the example, with macros expanded and its groups', () => {
    const setup = importSetup(example, 'llama-swap');
    expect(setup.models.map((m) => m.name)).toEqual(['gpt-oss-120b', 'unlisted-model', 'docker-llama']);
    expect(setup.models[0].args).toEqual({ '--model': 'path/to/gpt-oss-120B.gguf', '--ctx-size': 16384, '--temp': 0.7 });
    expect(setup.models[0].swap).toMatchObject({ ttl: 60, aliases: ['gpt-4o-mini'], env: ['CUDA_VISIBLE_DEVICES=0,1,2'] });
    expect(setup.groups.map((g) => g.name)).toEqual(['group1', 'group2', 'forever']);
    for (const k of ['hooks', 'profiles', 'selectors', 'peers', 'apiKeys']) expect(setup.keptAside).toHaveProperty(k);
  });

  it('writes the example back as a file the schema accepts, with its groups and kept sections', () => {
    const setup = importSetup(example, 'llama-swap');
    const out = exportSetup(setup.models, 'llama-swap', {}, setup);
    expect(out.errors).toEqual([]);
    const doc = yq(out.text);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(out.warnings).toContain('group group1 is left out: none of its members is part of this export');
    expect(doc.routing.router.settings.groups.group2.members).toEqual(['docker-llama', 'modelA', 'modelB']);
    expect(doc.hooks).toEqual(setup.keptAside.hooks);
    const again = importSetup(out.text, 'llama-swap');
    expect(again.models.map((m) => [m.name, m.args])).toEqual(setup.models.map((m) => [m.name, m.args]));
  });

  it('a setup made in the dashboard exports as a file the schema accepts', () => {
    const configs: SetupConfig[] = [
      { name: 'qwen', args: { '--model': "/m/it's qwen.gguf", '--ctx-size': 8192, '--flash-attn': 'on' }, extraArgs: [] },
      { name: 'gemma', args: { '--hf-repo': 'org/gemma:Q4_K_M', '--api-key': 'k', '--ctx-size': 8192, '--flash-attn': 'on' }, extraArgs: ['--new-flag', 'x y'] },
    ];
    const out = exportSetup(configs, 'llama-swap', {}, { groups: [{ name: 'pair', members: ['qwen', 'gemma'], swap: false }] });
    expect(out.errors).toEqual([]);
    const doc = yq(out.text);
    // The shared flags go into a global macro, which the schema must accept as well.
    expect(doc.macros.shared_flags).toContain('--flash-attn on');
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });
});
