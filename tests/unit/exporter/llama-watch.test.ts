// The built exporter as a process watching the stand-in llama-server (--llama): the values it keeps are the
// ones the dashboard's own lib tick derives from the same answers, it never wakes a sleeping server nor
// loads a router model, its history pages, and a key from a key file is used without ever being in argv.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult, ServerIo } from '../../../src/lib/http-request';
import { jsonOf } from '../../../src/lib/http-request';
import { LlamaTick } from '../../../src/lib/llama-tick';
import type { LlamaHistoryPage, WatchedServer } from '../../../src/lib/exporter-llama';
import { llamaPrecise } from '../../../exporter/ring';
import { startStandIn } from '../../fixtures/llama-stand-in.mjs';
import { buildExporter, startExporter, waitFor, type Running } from './harness';

interface StandIn {
  url: string;
  close(): Promise<void>;
  control(patch: Record<string, unknown>): { hits: Record<string, number> };
  state(): { mode: string; hits: Record<string, number>; log: { method: string; path: string; query: string; auth: string | null }[]; models: { id: string; state: string }[] | null };
}

let file: string;
const cleanup: (() => Promise<void>)[] = [];
beforeAll(() => {
  file = buildExporter();
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function standIn(opts: Record<string, unknown> = {}): Promise<StandIn> {
  const s = (await startStandIn({ port: 0, ...opts })) as StandIn;
  cleanup.push(() => s.close());
  return s;
}

async function exporter(port: number, args: string[], env: Record<string, string> = {}): Promise<Running> {
  const r = await startExporter(file, port, ['--interval', '1s', '--nvidia-smi', 'off', '--llama-interval', '200ms', ...args], { fake: false, env });
  cleanup.push(() => r.stop());
  return r;
}

const watched = async (r: Running): Promise<WatchedServer[]> => (await r.json('/api/v1/snapshot')).llama;
const page = (r: Running, url: string, q = '') => r.json<LlamaHistoryPage>(`/api/v1/history?llama=${encodeURIComponent(url)}${q}`);

/** A pass-through proxy that records every answer in order, so the test can replay them through the lib tick. */
async function recorder(target: string) {
  const answers: { path: string; status: number; text: string }[] = [];
  const server = http.createServer(async (req, res) => {
    const upstream = await fetch(target + req.url, { headers: req.headers.authorization ? { authorization: req.headers.authorization } : {} });
    const text = await upstream.text();
    answers.push({ path: req.url!, status: upstream.status, text });
    res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'text/plain' }).end(text);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  cleanup.push(() => new Promise((ok) => server.close(() => ok())));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, answers };
}

/** A ServerIo that answers each request with the next recorded answer (and checks it asks for the same path). */
function replayIo(answers: { path: string; status: number; text: string }[]): ServerIo {
  let i = 0;
  const get = async (p: string): Promise<HttpResult> => {
    const a = answers[i++];
    expect(a?.path, `request ${i}`).toBe(p);
    return a.status >= 200 && a.status < 300
      ? { ok: true, status: a.status, text: a.text }
      : { ok: false, failure: { kind: 'http', status: a.status, body: a.text.slice(0, 2000) } };
  };
  return { get, json: async (p) => jsonOf(await get(p)) };
}

const RATES = ['prompt_tps', 'gen_tps', 'prompt_tokens_rate', 'gen_tokens_rate', 'requests_per_min', 'gen_tps_live'];

// Processes on a small shared machine: allow more than the default for the waits below.
describe('exporter watching a llama-server', { timeout: 40_000 }, () => {
  it('keeps the values the dashboard\'s lib tick derives from the same answers, across a restart, with no negative rate', async () => {
    const s = await standIn({ traffic: 'steady' });
    const rec = await recorder(s.url);
    const r = await exporter(18240, ['--llama', rec.url]);
    // A restart shows only once a counter has moved (a reset from 0 to 0 is no reset).
    s.control({ requests: 2 });
    const moved = async () => ((await page(r, rec.url)).series['llamacpp:tokens_predicted_total'] ?? []).some((v) => (v ?? 0) > 0);
    await waitFor(async () => (await page(r, rec.url)).ts.length >= 8 && (await moved()), 15_000, () => 'eight ticks and finished requests');
    s.control({ restart: true });
    await waitFor(async () => (await page(r, rec.url)).events.some((e) => e.kind === 'restart'), 15_000, () => 'a restart marker');
    await waitFor(async () => (await page(r, rec.url)).ts.length >= 20, 15_000, () => 'twenty ticks');
    const h = await page(r, rec.url);
    const answers = rec.answers.slice();

    let row = 0;
    const tick = new LlamaTick({ io: replayIo(answers), now: () => h.ts[row], url: rec.url, pageOrigin: null, hasApiKey: false });
    for (; row < h.ts.length; row++) {
      const want = (await tick.tick()).values;
      for (const k of new Set([...Object.keys(want), ...Object.keys(h.series)])) {
        const got = h.series[k]?.[row] ?? null;
        const exp = want[k] ?? null;
        if (exp === null || got === null || llamaPrecise(k)) expect(got, `${k} at row ${row}`).toBe(exp);
        else expect(Math.abs(got - exp), `${k} at row ${row}`).toBeLessThanOrEqual(Math.abs(exp) * 1e-6);
      }
    }
    for (const k of RATES) for (const v of h.series[k] ?? []) expect(v === null || v >= 0, k).toBe(true);
    const w = (await watched(r))[0];
    expect(w).toMatchObject({ url: rec.url, health: 'up', build: expect.stringMatching(/^b\d+/), model: 'tiny.gguf', isRouter: false });
  });

  it('pages the history by since, until and limit, and refuses a server it does not watch', async () => {
    const s = await standIn({ traffic: 'idle' });
    const r = await exporter(18241, ['--llama', s.url]);
    await waitFor(async () => (await page(r, s.url)).ts.length >= 10, 15_000, () => 'ten ticks');
    const all = await page(r, s.url);
    const until = all.ts[8];
    const got: number[] = [];
    const up: (number | null)[] = [];
    let since = 0;
    for (let n = 0; n < 10; n++) {
      const p = await page(r, s.url, `&since=${since}&until=${until}&limit=3`);
      got.push(...p.ts);
      up.push(...p.series.up);
      if (!p.more) break;
      expect(p.ts).toHaveLength(3);
      since = p.next!;
    }
    expect(got).toEqual(all.ts.slice(0, 9));
    expect(up).toEqual(all.series.up.slice(0, 9));
    expect((await r.get(`/api/v1/history?llama=${encodeURIComponent('http://127.0.0.1:1')}`)).status).toBe(404);
    expect((await r.get(`/api/v1/history?llama=${encodeURIComponent(s.url)}&limit=0`)).status).toBe(400);
    // The host history keeps its contract for dashboards that do not page, and lists the watched servers.
    const host = await r.json('/api/v1/history?since=0');
    expect(host).toMatchObject({ version: 1, more: false, llama: [{ url: s.url }] });
    expect(Array.isArray(host.ts) && 'cpu_util' in host.series).toBe(true);
  });

  it('puts the body of its last /metrics read in the snapshot only while the server is idle and reads cleanly', async () => {
    const s = await standIn({ traffic: 'idle', slots: 1 });
    const r = await exporter(18247, ['--llama', s.url]);
    await waitFor(async () => !!(await watched(r))[0]?.metrics, 15_000, () => 'a relayed body');
    const before = Date.now();
    const [w] = await watched(r);
    // The body is the server's own answer, as it came, and from the last read (reads are 200 ms apart).
    expect(w.metrics!.text).toContain('llamacpp:tokens_predicted_total');
    expect(w.metrics!.ts).toBeGreaterThan(before - 1500);
    // Not in the history summary: a dashboard reading history needs no body.
    expect((await r.json('/api/v1/history?since=0')).llama[0]).not.toHaveProperty('metrics');
    s.control({ generating: { tokens: 400 } });
    await waitFor(async () => (await watched(r))[0]?.metrics === null, 5_000, () => 'no body while busy');
    s.control({ generating: false });
    await waitFor(async () => !!(await watched(r))[0]?.metrics, 5_000, () => 'a body once idle again');
    s.control({ mode: 'drop' });
    await waitFor(async () => (await watched(r))[0]?.metrics === null, 5_000, () => 'no body once it stops answering');
  });

  it('never wakes a sleeping server: no /slots while it sleeps', async () => {
    const s = await standIn({ traffic: 'idle' });
    s.control({ mode: 'sleeping' });
    const r = await exporter(18242, ['--llama', s.url]);
    await waitFor(async () => (await page(r, s.url)).ts.length >= 10, 15_000, () => 'ten ticks');
    expect(s.state().mode).toBe('sleeping');
    expect(s.state().hits['GET /slots'] ?? 0).toBe(0);
    expect(s.state().hits['GET /metrics']).toBeGreaterThanOrEqual(10);
    expect((await watched(r))[0]).toMatchObject({ health: 'sleeping' });
  });

  it('never loads a router model: per-model reads carry autoload=false and nothing is loaded', async () => {
    const s = await standIn({ router: true, traffic: 'idle', loadMs: 100 });
    const r = await exporter(18243, ['--llama', s.url]);
    await waitFor(async () => (await page(r, s.url)).ts.length >= 5, 15_000, () => 'five ticks');
    expect(s.state().models!.every((m) => m.state === 'unloaded')).toBe(true);
    expect(s.state().hits['POST /models/load'] ?? 0).toBe(0);
    await fetch(`${s.url}/models/load`, { method: 'POST', body: JSON.stringify({ model: 'tiny' }) });
    await waitFor(async () => 'llamacpp:tokens_predicted_total{model="tiny"}' in (await page(r, s.url)).series, 15_000, () => 'per-model series');
    const perModel = s.state().log.filter((l) => ['/metrics', '/slots', '/props'].includes(l.path) && l.query);
    expect(perModel.length).toBeGreaterThan(0);
    for (const l of perModel) expect(l.query).toMatch(/autoload=false/);
    expect(s.state().models!.filter((m) => m.state !== 'unloaded').map((m) => m.id)).toEqual(['tiny']);
    expect((await watched(r))[0]).toMatchObject({ health: 'up', isRouter: true });
    const metrics = await (await r.get('/metrics')).text();
    expect(metrics).toMatch(new RegExp(`llamadash_llama_slot_generation_tokens_per_second\\{server="${s.url}",model="tiny",slot="0"\\} 0`));
  });

  it('reads the key from a key file, never from argv, and tells an unauthorized server apart', async () => {
    const s = await standIn({ apiKey: 'sk-watch-1', traffic: 'idle' });
    const t = await standIn({ apiKey: 'sk-other', traffic: 'idle' });
    const dir = mkdtempSync(path.join(tmpdir(), 'llamadash-key-'));
    const keyFile = path.join(dir, 'key');
    writeFileSync(keyFile, 'sk-watch-1\n');
    const r = await exporter(18244, ['--llama', s.url, '--llama', t.url, '--llama-key-file', `${s.url}=${keyFile}`]);
    await waitFor(async () => (await watched(r)).every((w) => w.health !== 'starting'), 15_000, () => 'both read');
    const [a, b] = await watched(r);
    expect(a).toMatchObject({ url: s.url, health: 'up' });
    expect(b).toMatchObject({ url: t.url, health: 'unauthorized', message: expect.stringMatching(/key/i) });
    const keyed = s.state().log.filter((l) => l.path === '/metrics');
    expect(keyed.length).toBeGreaterThan(0);
    for (const l of keyed) expect(l.auth).toBe('Bearer sk-watch-1');
    const argv = readFileSync(`/proc/${r.child.pid}/cmdline`, 'utf8');
    expect(argv).toContain(keyFile);
    expect(argv).not.toContain('sk-watch-1');
  });

  it('takes keys from LLAMADASH_EXPORTER_LLAMA_KEYS, refuses them as a flag, and stops on an unreadable key file', async () => {
    const s = await standIn({ apiKey: 'sk-env', traffic: 'idle' });
    const r = await exporter(18245, ['--llama', s.url], { LLAMADASH_EXPORTER_LLAMA_KEYS: `${s.url}=sk-env` });
    await waitFor(async () => (await watched(r))[0].health === 'up', 15_000, () => 'up with the env key');
    const flag = spawnSync(process.execPath, [file, '--llama', s.url, '--llama-keys', `${s.url}=sk-env`], { encoding: 'utf8' });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/would show the keys in ps/);
    expect(flag.stderr).not.toContain('sk-env');
    const missing = spawnSync(process.execPath, [file, '--llama', s.url, '--llama-key-file', `${s.url}=/nonexistent/key`], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the key file of .* \(\/nonexistent\/key\)/);
  });

  it('reports garbage and a server that is down in words, and exports only /slots figures in promtool-clean /metrics', async () => {
    const s = await standIn({ traffic: 'steady' });
    const g = await standIn({ traffic: 'idle' });
    g.control({ mode: 'garbage' });
    const r = await exporter(18246, ['--llama', s.url, '--llama', g.url, '--llama', 'http://127.0.0.1:9']);
    await waitFor(async () => (await watched(r)).every((w) => w.health !== 'starting'), 15_000, () => 'all read');
    const [ok, bad, down] = await watched(r);
    expect(ok.health).toBe('up');
    // It answers /health, so it is up; the message says its /metrics is not llama-server's.
    expect(bad).toMatchObject({ health: 'up', message: expect.stringMatching(/did not return what llama-server returns/) });
    expect(down).toMatchObject({ health: 'down', message: expect.stringMatching(/127\.0\.0\.1:9/) });
    await waitFor(async () => (await (await r.get('/metrics')).text()).includes('llamadash_llama_slot_generation_tokens_per_second'), 15_000, () => 'slot gauges');
    const text = await (await r.get('/metrics')).text();
    expect(text).toContain(`llamadash_llama_up{server="${ok.url}"} 1`);
    expect(text).toContain('llamadash_llama_up{server="http://127.0.0.1:9"} 0');
    expect(text).not.toMatch(/^llamacpp:/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const problems = (check.stdout + check.stderr).split('\n').filter((l) => l.trim() && !/^node_memory_Mem(Total|Available)_bytes .*camelCase/.test(l));
    expect(problems).toEqual([]);
  });
});
