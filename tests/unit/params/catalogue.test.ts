import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findArg, getArg, getCatalogue, searchArgs } from '../../../src/lib/params/index';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/llama-server/args.json', import.meta.url), 'utf8'));
const help = readFileSync(new URL('../../fixtures/llama-server/help.txt', import.meta.url), 'utf8');
const cat = getCatalogue();

describe('built-in catalogue', () => {
  it('holds every argument of build b10573 with its spellings, type and env var', () => {
    expect(cat.build).toBe('b10573');
    expect(cat.args.filter((a) => !a.presetOnly)).toHaveLength(fixture.count);
    for (const a of fixture.args) {
      const spec = findArg(cat, a.flags[0])!.spec;
      expect({ flags: spec.flags, negated: spec.negated, type: spec.type, env: spec.env, group: spec.group }).toEqual({
        flags: a.flags, negated: a.negated_flags, type: a.type, env: a.env, group: a.group,
      });
    }
    expect(cat.args.filter((a) => a.presetOnly).map((a) => a.key)).toEqual(fixture.preset_only_keys.map((p: { key: string }) => p.key));
  });

  it('has one argument per spelling and per canonical key', () => {
    const seen = new Map<string, string>();
    for (const spec of cat.args) {
      for (const s of [spec.key, ...spec.flags, ...spec.negated]) {
        const prev = seen.get(s);
        expect(prev === undefined || prev === spec.key, `${s} used by ${prev} and ${spec.key}`).toBe(true);
        seen.set(s, spec.key);
      }
    }
  });

  it('describes every argument briefly in its own words, not llama.cpp help sentences', () => {
    const flat = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');
    const helpText = flat(help);
    for (const spec of cat.args) {
      expect(spec.description.length, spec.key).toBeGreaterThan(8);
      expect(spec.description.length, spec.key).toBeLessThan(110);
      expect(helpText.includes(flat(spec.description).replace(/\.$/, '')), `${spec.key}: "${spec.description}"`).toBe(false);
    }
  });

  it('knows the facts the app relies on: secrets, model sources, ranges, defaults', () => {
    expect(getArg(cat, '--api-key')).toMatchObject({ secret: true, env: 'LLAMA_API_KEY' });
    expect(getArg(cat, '--hf-token')).toMatchObject({ secret: true, env: 'HF_TOKEN' });
    expect(cat.args.filter((a) => a.modelSource).map((a) => a.key)).toEqual(
      expect.arrayContaining(['--model', '--model-url', '--hf-repo', '--docker-repo', '--gpt-oss-20b-default']),
    );
    expect(getArg(cat, '--port')).toMatchObject({ min: 0, max: 65535, default: 8080 });
    expect(getArg(cat, '--top-p')).toMatchObject({ min: 0, max: 1, default: 0.95 });
    expect(getArg(cat, '--flash-attn')).toMatchObject({ type: 'enum', values: ['on', 'off', 'auto'], default: 'auto' });
    expect(getArg(cat, '--gpu-layers')).toMatchObject({ specialValues: ['auto', 'all'], default: 'auto' });
    expect(getArg(cat, '--mmap')).toMatchObject({ deprecated: true, negated: ['--no-mmap'] });
  });
});

describe('findArg', () => {
  it.each([
    ['-c', '--ctx-size', false],
    ['--ctx-size', '--ctx-size', false],
    ['--ctx_size', '--ctx-size', false],
    ['LLAMA_ARG_CTX_SIZE', '--ctx-size', false],
    ['ctx-size', '--ctx-size', false],
    ['c', '--ctx-size', false],
    ['-nkvo', '--kv-offload', true],
    ['no-mmap', '--mmap', true],
    ['LLAMA_ARG_NO_MMAP', '--mmap', true],
    ['--webui', '--ui', false],
    ['--no-webui', '--ui', true],
    ['LLAMA_API_KEY', '--api-key', false],
    ['hf', '--hf-repo', false],
    ['stop-timeout', 'stop-timeout', false],
  ])('%s is %s (negated: %s)', (spelling, key, negated) => {
    expect(findArg(cat, spelling)).toMatchObject({ spec: { key }, negated });
  });

  it('returns null for what llama-server does not know', () => {
    expect(findArg(cat, '--no-such-flag')).toBeNull();
    expect(findArg(cat, 'LLAMA_ARG_NOPE')).toBeNull();
  });
});

describe('searchArgs', () => {
  it('finds by flag, env name and description, exact names first', () => {
    expect(searchArgs(cat, 'ctx-size')[0].key).toBe('--ctx-size');
    expect(searchArgs(cat, 'LLAMA_ARG_UBATCH')[0].key).toBe('--ubatch-size');
    expect(searchArgs(cat, '-ngl')[0].key).toBe('--gpu-layers');
    expect(searchArgs(cat, 'flash attention').map((a) => a.key)).toContain('--flash-attn');
    expect(searchArgs(cat, 'draft model gpu').map((a) => a.key)).toEqual(['--spec-draft-ngl']);
    expect(searchArgs(cat, '')).toHaveLength(cat.args.length);
  });
});
