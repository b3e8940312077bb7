import { describe, expect, it } from 'vitest';
import { createApi } from '../../../src/worker/api';
import { createCollector } from '../../../src/collect/collector';
import { isSimulatedUrl } from '../../../src/lib/simulate/host';
import { openImage } from '../db/helpers';

const TABLES = ['frames', 'frames_1m', 'frames_1h', 'layouts', 'events', 'requests'];

function count(api: ReturnType<typeof createApi>, table: string, ids: number[]): number {
  const r = api.runQuery({ sql: `SELECT count(*) AS n FROM ${table} WHERE endpoint_id IN (${ids.join(',') || 'NULL'})` });
  return Number(r.rows[0][0]);
}

async function tables(image: Uint8Array, sql: string): Promise<unknown[]> {
  const db = await openImage(image);
  const out = db.selectObjects(sql);
  db.close();
  return out;
}

describe('simulation through the worker API', () => {
  it('start adds a simulated llama-server, router and exporter once; the collector stores their samples; stop removes every row of them and nothing else', async () => {
    const api = createApi({ storage: 'memory', retentionEveryMs: 0, collector: createCollector });
    await api.init();
    const real = api.addEndpoint({ kind: 'llama', name: 'real', url: 'http://127.0.0.1:1', apiKey: null, intervalMs: 60_000, enabled: false });
    api.saveFrames([{ endpointId: real.id, ts: Date.now(), values: { gen_tps: 1 } }]);
    api.startSimulation();
    api.startSimulation();
    const sims = api.listEndpoints().filter((e) => isSimulatedUrl(e.url));
    expect(sims.map((e) => e.kind).sort()).toEqual(['exporter', 'llama', 'llama']);
    const ids = sims.map((e) => e.id);
    // The clock origin is stored once, for a worker that takes the simulation over.
    const origin = () => api.runQuery({ sql: "SELECT value FROM metadata WHERE key = 'simulation.clock'" }).rows.map((r) => JSON.parse(String(r[0])).origin);
    expect(origin()).toHaveLength(1);
    expect(origin()[0]).toBeLessThanOrEqual(Date.now());

    // The pollers read the simulation on their own timers: wait for both to have stored samples.
    for (let i = 0; i < 100 && !ids.every((id) => api.latest(id)); i++) await new Promise((r) => setTimeout(r, 100));
    // The router's model list reaches the status (the dashboard's router panel).
    const router = sims.find((e) => e.name.includes('router'))!;
    for (let i = 0; i < 100 && !api.endpointStatuses().find((s) => s.endpointId === router.id)?.routerModels.length; i++) await new Promise((r) => setTimeout(r, 100));
    const rs = api.endpointStatuses().find((s) => s.endpointId === router.id)!;
    expect(rs.isRouter).toBe(true);
    expect(rs.routerModels.map((m) => m.state)).toEqual(['loaded', 'loading', 'unloaded']);
    const llama = api.latest(sims.find((e) => e.kind === 'llama')!.id);
    const exporter = api.latest(sims.find((e) => e.kind === 'exporter')!.id);
    expect(llama).toBeTruthy();
    expect(exporter).toBeTruthy();
    expect(Object.keys(exporter!.values)).toContain('gpu_temp_c{gpu="0"}');

    const file = api.exportDatabase().slice();
    expect(await tables(file, 'SELECT name FROM endpoints')).toEqual([{ name: 'real' }]);
    expect(await tables(file, `SELECT count(*) AS n FROM frames WHERE endpoint_id IN (${ids.join(',')})`)).toEqual([{ n: 0 }]);
    expect(Buffer.from(file).includes(Buffer.from('simulated.llama-dashboard.invalid'))).toBe(false);
    expect(await tables(file, "SELECT count(*) AS n FROM metadata WHERE key = 'simulation.clock'")).toEqual([{ n: 0 }]);
    expect(await tables(api.exportDatabase(true).slice(), 'SELECT name FROM endpoints')).toEqual([{ name: 'real' }]);

    api.stopSimulation();
    expect(api.listEndpoints().map((e) => e.name)).toEqual(['real']);
    expect(origin()).toEqual([]);
    for (const t of TABLES) expect(count(api, t, ids), t).toBe(0);
    expect(count(api, 'frames', [real.id])).toBe(1);
    api.close();
  }, 20_000);
});
