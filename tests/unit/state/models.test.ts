import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createApi } from '../../../src/worker/api';
import type { EndpointStatus, ModelConfigInput } from '../../../src/lib/types';
import { ModelDraft } from '../../../src/state/model-draft.svelte';
import { linkedStatus, ModelsState } from '../../../src/state/models.svelte';

function input(name: string, extra: Partial<ModelConfigInput> = {}): ModelConfigInput {
  return {
    name, family: 'qwen', type: 'chat', status: 'stopped', notes: '', args: { '--model': `/m/${name}.gguf` },
    extraArgs: [], catalogueId: null, endpointId: null, routerModel: null, ...extra,
  };
}

function status(patch: Partial<EndpointStatus>): EndpointStatus {
  return {
    endpointId: 1, state: 'ok', message: null, lastOkAt: null, lastErrorAt: null, info: {}, isRouter: false, routerModels: [], ...patch,
  };
}

async function setup(statuses: Record<number, EndpointStatus> = {}) {
  const api = createApi({ storage: 'memory', retentionEveryMs: 0 });
  await api.init();
  const m = new ModelsState((id) => statuses[id]);
  await m.connect(api);
  return { api, m };
}

describe('linkedStatus', () => {
  it('maps a single server\'s state', () => {
    expect(linkedStatus(status({ state: 'busy' }), null).status).toBe('running');
    expect(linkedStatus(status({ state: 'loading' }), null).status).toBe('loading');
    expect(linkedStatus(status({ state: 'down', message: 'refused' }), null)).toEqual({ status: 'stopped', detail: 'refused' });
    expect(linkedStatus(status({ state: 'error' }), null).status).toBe('error');
    expect(linkedStatus(undefined, null).status).toBe('stopped');
  });

  it('maps a router model\'s state, and a router that is down', () => {
    const router = status({
      isRouter: true,
      routerModels: [{ id: 'a', state: 'loaded', progress: null }, { id: 'b', state: 'loading', progress: 0.4 }, { id: 'c', state: 'failed', progress: null }],
    });
    expect(linkedStatus(router, 'a').status).toBe('running');
    expect(linkedStatus(router, 'b')).toEqual({ status: 'loading', detail: 'loading 40%' });
    expect(linkedStatus(router, 'c').status).toBe('error');
    expect(linkedStatus(router, 'gone')).toEqual({ status: 'stopped', detail: 'the router does not list gone' });
    expect(linkedStatus({ ...router, state: 'down' }, 'a').status).toBe('stopped');
  });
});

describe('ModelsState', () => {
  it('filters by search words, type and status, live status winning for linked configurations', async () => {
    const { m } = await setup({ 7: status({ endpointId: 7, state: 'ok' }) });
    await m.save(null, input('Qwen chat'));
    await m.save(null, input('Gemma embed', { type: 'embedding', family: 'gemma' }));
    await m.save(null, input('Linked', { endpointId: 7 }));
    await m.save(null, input('Broken', { status: 'draft' }));
    expect(m.filtered.map((c) => c.name)).toEqual(['Broken', 'Gemma embed', 'Linked', 'Qwen chat']);
    m.setSearch('GEMMA');
    expect(m.filtered.map((c) => c.name)).toEqual(['Gemma embed']);
    m.setSearch('');
    m.setTypeFilter('chat');
    m.setStatusFilter('running');
    expect(m.filtered.map((c) => c.name)).toEqual(['Linked']);
    m.setStatusFilter('draft');
    expect(m.filtered.map((c) => c.name)).toEqual(['Broken']);
    expect(m.types).toEqual(['chat', 'embedding']);
  });

  it('duplicates under a free name and reports a taken name in words', async () => {
    const { m } = await setup();
    const a = await m.save(null, input('a'));
    await m.duplicate(a!.id);
    await m.duplicate(a!.id);
    expect(m.list.map((c) => c.name)).toEqual(['a', 'a (copy)', 'a (copy) 2']);
    expect(m.list[1].args).toEqual(a!.args);
    expect(await m.save(null, input('A'))).toBeNull();
    expect(m.error).toMatch(/already exists/);
    expect(await m.removeAll()).toBe(3);
    expect(m.list).toEqual([]);
  });

  it('stores a pasted --help as a build and refuses text that is not one', async () => {
    const { m } = await setup();
    expect(await m.addCatalogue('b1', 'usage: something\n-h, --help   help\n')).toBeNull();
    expect(m.error).toMatch(/paste the whole output/);
    const help = readFileSync('tests/fixtures/llama-server/help.txt', 'utf8');
    const id = await m.addCatalogue('b10573-copy', help);
    expect(m.catalogues.map((c) => c.build)).toEqual(['b10573-copy']);
    const cat = await m.loadCatalogue(id!);
    expect(cat!.args.length).toBeGreaterThan(200);
    const saved = await m.save(null, input('on-copy', { catalogueId: id }));
    expect(m.issues(saved!)).toEqual([]);
    await m.deleteCatalogue(id!);
    expect(m.get(saved!.id)!.catalogueId).toBeNull();
  });
});

describe('ModelDraft', () => {
  it('stores only what differs from the defaults and saves an invalid one as a draft', () => {
    const d = new ModelDraft();
    d.setMeta({ name: '  x  ' });
    d.set('--batch-size', 2048);
    d.set('--ubatch-size', 4096);
    expect(d.errorCount).toBe(2);
    expect(d.issuesByKey.get('--ubatch-size')?.[0].message).toMatch(/must not exceed/);
    expect(d.toInput()).toMatchObject({ name: 'x', status: 'draft', args: { '--ubatch-size': 4096 } });
    d.applyFix(d.issuesByKey.get('--ubatch-size')![0].fix!);
    d.set('--model', '/m/a.gguf');
    expect(d.issues).toEqual([]);
    expect(d.toInput()).toMatchObject({ status: 'stopped', args: { '--model': '/m/a.gguf' } });
  });

  it('keeps keys another build does not have visible, with a fix that moves them to extras', () => {
    const d = new ModelDraft();
    d.set('--model', '/m/a.gguf');
    d.set('--ctx-size', 4096);
    d.setCatalogue({ build: 'tiny', source: 'help', args: [
      { key: '--model', flags: ['-m', '--model'], negated: [], type: 'string', valueHint: 'FNAME', env: null, default: null, defaultText: null, group: 'common', description: '', modelSource: true },
    ] });
    expect(d.foreignKeys).toEqual(['--ctx-size']);
    const issue = d.issuesByKey.get('--ctx-size')![0];
    expect(issue.message).toBe('tiny has no --ctx-size');
    d.applyFix(issue.fix!);
    expect(d.args).toEqual({ '--model': '/m/a.gguf' });
    expect(d.extraArgs).toEqual(['--ctx-size', '4096']);
  });
});
