import { beforeEach, describe, expect, test } from 'vitest';
import { addEndpoint, getEndpoint, listEndpoints, normaliseUrl, removeEndpoint, updateEndpoint } from '../../../src/db/endpoints';
import { createModel, getModel } from '../../../src/db/models';
import { latestValues, saveFrames } from '../../../src/db/metrics';
import type { EndpointInput } from '../../../src/lib/types';
import type { DB } from '../../../src/db/sql';
import { freshDb } from './helpers';

let db: DB;
beforeEach(async () => { db = await freshDb(); });

const llama = (url: string, extra: Partial<EndpointInput> = {}): EndpointInput =>
  ({ kind: 'llama', name: 'Workstation', url, apiKey: null, intervalMs: 1000, enabled: true, ...extra });

describe('endpoints', () => {
  test('normalises addresses: trimmed, lower-case host, no trailing slash, path prefix kept', () => {
    expect(normaliseUrl('  http://LOCALHOST:8080/ ')).toBe('http://localhost:8080');
    expect(normaliseUrl('https://gpu.example.org/llama//')).toBe('https://gpu.example.org/llama');
    expect(normaliseUrl('http://10.0.0.5:8080/?x=1#top')).toBe('http://10.0.0.5:8080');
  });

  test('refuses what it cannot poll, saying how to write it', () => {
    expect(() => addEndpoint(db, llama('ftp://host/'))).toThrow('must start with http:// or https://');
    expect(() => addEndpoint(db, llama('localhost:8080'))).toThrow('must start with http:// or https://');
    expect(() => addEndpoint(db, llama('not a url'))).toThrow('is not a web address');
    expect(() => addEndpoint(db, llama('http://u:p@host:1'))).toThrow('API key in its own field');
    expect(() => addEndpoint(db, llama('http://h:1', { intervalMs: 10 }))).toThrow('at least 250');
    expect(listEndpoints(db)).toEqual([]);
  });

  test('add, get, list, update; one entry per kind and address', () => {
    const a = addEndpoint(db, llama('http://127.0.0.1:8080/', { apiKey: 'sk-1', name: '  ' }));
    expect(a).toMatchObject({ kind: 'llama', name: '127.0.0.1:8080', url: 'http://127.0.0.1:8080', apiKey: 'sk-1', intervalMs: 1000, enabled: true });
    expect(getEndpoint(db, a.id)).toEqual(a);
    expect(() => addEndpoint(db, llama('http://127.0.0.1:8080'))).toThrow('A llama-server at http://127.0.0.1:8080 is already in the list ("127.0.0.1:8080")');
    const x = addEndpoint(db, { ...llama('http://127.0.0.1:8080'), kind: 'exporter', name: 'same host exporter' });
    expect(listEndpoints(db).map((e) => e.id)).toEqual([a.id, x.id]);

    const b = addEndpoint(db, llama('http://127.0.0.1:8081'));
    expect(() => updateEndpoint(db, b.id, { url: 'http://127.0.0.1:8080/' })).toThrow('already in the list');
    const u = updateEndpoint(db, b.id, { enabled: false, intervalMs: 5000, apiKey: '' });
    expect(u).toMatchObject({ enabled: false, intervalMs: 5000, apiKey: null, url: 'http://127.0.0.1:8081', createdAt: b.createdAt });
    expect(() => updateEndpoint(db, 4242, { name: 'x' })).toThrow('does not exist');
    expect(getEndpoint(db, 4242)).toBeNull();
  });

  test('removing an endpoint removes its samples and unlinks its models', () => {
    const a = addEndpoint(db, llama('http://h:1'));
    saveFrames(db, [{ endpointId: a.id, ts: 1000, values: { x: 1 } }]);
    const m = createModel(db, { name: 'm', family: '', type: 'chat', status: 'running', notes: '', args: {}, extraArgs: [], catalogueId: null, endpointId: a.id, routerModel: 'qwen' });
    removeEndpoint(db, a.id);
    expect(getEndpoint(db, a.id)).toBeNull();
    expect(latestValues(db, a.id)).toBeNull();
    expect(getModel(db, m.id)).toMatchObject({ endpointId: null, routerModel: null });
  });
});
