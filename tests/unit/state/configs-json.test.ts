import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configsFromJson } from '../../../src/lib/params';
import { configsJson, importConfigsJson, type JsonPick } from '../../../src/state/configs-json';
import { ModelsState } from '../../../src/state/models.svelte';
import { createApi } from '../../../src/worker/api';
import type { ModelConfigInput } from '../../../src/lib/types';

function input(name: string, extra: Partial<ModelConfigInput> = {}): ModelConfigInput {
  return {
    name, family: 'qwen', type: 'chat', status: 'stopped', notes: 'for tests', args: { '--model': `/m/${name}.gguf`, '--ctx-size': 16384, '--api-key': 'sk-secret' },
    extraArgs: ['--new-flag', 'x'], catalogueId: null, endpointId: null, routerModel: null, ...extra,
  };
}

async function store() {
  const api = createApi({ storage: 'memory', retentionEveryMs: 0 });
  await api.init();
  const m = new ModelsState();
  await m.connect(api);
  return m;
}

const picks = (text: string): JsonPick[] =>
  configsFromJson(text).configurations.map((config) => ({ config, include: true, name: config.name, conflict: 'rename' }));

describe('configurations as JSON through the page state', () => {
  it('exports without secrets by default and imports into another database as the same configurations, on the same build', async () => {
    const a = await store();
    const build = await a.addCatalogue('b10573-copy', readFileSync('tests/fixtures/llama-server/help.txt', 'utf8'));
    await a.save(null, input('qwen', { catalogueId: build }));
    const out = await configsJson(a.list, a, false);
    expect(out.left).toEqual(['qwen: --api-key']);
    expect(out.note).toBeNull();
    expect(out.text).not.toContain('sk-secret');

    const b = await store();
    const other = await b.addCatalogue('b10573-copy', readFileSync('tests/fixtures/llama-server/help.txt', 'utf8'));
    const ids = await importConfigsJson(configsFromJson(out.text), picks(out.text), b);
    expect(ids).toHaveLength(1);
    const got = b.get(ids[0])!;
    expect(got).toMatchObject({ name: 'qwen', family: 'qwen', type: 'chat', notes: 'for tests', catalogueId: other, extraArgs: ['--new-flag', 'x'] });
    expect(got.args).toEqual({ '--model': '/m/qwen.gguf', '--ctx-size': 16384 });
  });

  it('keeps secrets when asked, and resolves taken names by renaming, replacing or skipping', async () => {
    const m = await store();
    await m.save(null, input('a'));
    await m.save(null, input('b'));
    await m.save(null, input('c'));
    const { text } = await configsJson(m.list, m, true);
    expect(text).toContain('sk-secret');
    const [a, b, c] = picks(text);
    await m.save(m.list.find((x) => x.name === 'b')!.id, input('b', { notes: 'edited here' }));
    const ids = await importConfigsJson(configsFromJson(text), [{ ...a, conflict: 'rename' }, { ...b, conflict: 'replace' }, { ...c, conflict: 'skip' }], m);
    expect(ids).toHaveLength(2);
    expect(m.list.map((x) => x.name).sort()).toEqual(['a', 'a 2', 'b', 'c']);
    expect(m.list.find((x) => x.name === 'b')!.notes).toBe('for tests');
  });

  it('says when the file targets a build not stored here, and imports on the built-in one', async () => {
    const m = await store();
    const build = await m.addCatalogue('b10573-copy', readFileSync('tests/fixtures/llama-server/help.txt', 'utf8'));
    await m.save(null, input('x', { catalogueId: build }));
    await m.save(null, input('y'));
    const mixed = await configsJson(m.list, m, false);
    expect(mixed.note).toMatch(/different builds/);
    const solo = await configsJson(m.list.filter((x) => x.name === 'x'), m, false);
    const fresh = await store();
    const ids = await importConfigsJson(configsFromJson(solo.text), picks(solo.text), fresh);
    expect(fresh.get(ids[0])!.catalogueId).toBeNull();
  });
});
