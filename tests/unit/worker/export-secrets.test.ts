import { describe, expect, it } from 'vitest';
import { createApi } from '../../../src/worker/api';
import { SECRETS_STRIPPED_KEY } from '../../../src/db/export-image';
import { openImage } from '../db/helpers';

const SECRETS = ['sk-live-endpoint-4711', 'model-key-0815', 'hf_modeltoken_42', '/etc/llama/key.txt', 'extra-key-99', 'hf_extra_77', 'catalogue-secret-5'];

async function withSecrets() {
  const api = createApi({ storage: 'memory', retentionEveryMs: 0 });
  await api.init();
  api.addEndpoint({ kind: 'llama', name: 'keyed', url: 'http://127.0.0.1:8080', apiKey: SECRETS[0], intervalMs: 1000, enabled: true });
  api.addEndpoint({ kind: 'exporter', name: 'open', url: 'http://127.0.0.1:9101', apiKey: null, intervalMs: 1000, enabled: true });
  // A stored catalogue of another build that marks its own flag secret.
  const { id: catalogueId } = api.saveCatalogue({ build: 'b9999', helpText: '', catalogue: {
    build: 'b9999', source: 'help', args: [{ key: '--vault-token', flags: ['--vault-token'], type: 'string', secret: true }],
  } });
  api.createModel({
    name: 'secretive', family: '', type: 'chat', status: 'draft', notes: '',
    args: { '--ctx-size': 4096, '--api-key': SECRETS[1], '--hf-token': SECRETS[2], '--api-key-file': SECRETS[3], '--vault-token': SECRETS[6] },
    extraArgs: ['--api-key', SECRETS[4], `-hft=${SECRETS[5]}`, '--verbose'], catalogueId, endpointId: null, routerModel: null,
  });
  api.createModel({ name: 'plain', family: '', type: 'chat', status: 'draft', notes: '', args: { '--ctx-size': 2048 }, extraArgs: [], catalogueId: null, endpointId: null, routerModel: null });
  return api;
}

/** Whether `text` appears anywhere in the file's bytes (free pages included). */
const holds = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(Buffer.from(text));

async function look<T>(image: Uint8Array, sql: string): Promise<T[]> {
  const db = await openImage(image);
  const out = db.selectObjects(sql) as T[];
  db.close();
  return out;
}

describe('export without secrets', () => {
  it('holds no API key or secret argument anywhere in the file, by default, and keeps the rest', async () => {
    const api = await withSecrets();
    const file = api.exportDatabase().slice();
    for (const secret of SECRETS) expect(holds(file, secret), secret).toBe(false);
    expect(await look(file, 'SELECT name, api_key FROM endpoints ORDER BY id')).toEqual([{ name: 'keyed', api_key: null }, { name: 'open', api_key: null }]);
    const [m] = await look<{ args: string; extra_args: string }>(file, "SELECT args, extra_args FROM models WHERE name = 'secretive'");
    expect(JSON.parse(m.args)).toEqual({ '--ctx-size': 4096 });
    expect(JSON.parse(m.extra_args)).toEqual(['--verbose']);
    // The live database keeps its secrets.
    expect(api.listEndpoints()[0].apiKey).toBe(SECRETS[0]);
    expect(api.getModelByName('secretive')!.args['--api-key']).toBe(SECRETS[1]);
  });

  it('keeps every secret when asked to include them', async () => {
    const api = await withSecrets();
    const file = api.exportDatabase(true).slice();
    for (const secret of SECRETS) expect(holds(file, secret), secret).toBe(true);
    expect(await look(file, `SELECT * FROM metadata WHERE key = '${SECRETS_STRIPPED_KEY}'`)).toEqual([]);
  });

  it('an import of a file without secrets names the endpoints and models that need them again', async () => {
    const api = await withSecrets();
    const file = api.exportDatabase().slice();
    const other = createApi({ storage: 'memory', retentionEveryMs: 0 });
    await other.init();
    const r = other.importDatabase(file);
    expect(r).toMatchObject({ ok: true, needKeys: ['keyed'], needSecrets: ['secretive'] });
    expect(r.message).toContain('These endpoints need their API key again (it was not exported): keyed.');
    expect(r.message).toContain('These model configurations need their secret arguments again (not exported): secretive.');
    expect(other.getMeta(SECRETS_STRIPPED_KEY)).toBeNull();
    expect(other.listModels().map((m) => m.name)).toEqual(['plain', 'secretive']);
  });
});
