// The generated prometheus.yml and rules, checked by promtool and then run by a real Prometheus (Debian's
// /usr/bin/prometheus on loopback) scraping the stand-in llama-server (single-model with an API key, and a
// router) and the real exporter; the fleet's PromQL is asked of it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandIn } from '../../fixtures/llama-stand-in.mjs';
import { freePort, startPrometheus } from '../../fixtures/prometheus-server.mjs';
import { buildExporter, startExporter, waitFor, type Running } from '../exporter/harness';
import bcrypt from 'bcryptjs';
import { prometheusYml, planJobs, recordingRulesYml, type ScrapeSource } from '../../../src/lib/prometheus-config';
import { DISCOVERY, FLEET_COLUMNS, instanceCharts, sparklineExpr, type InstanceKind } from '../../../src/lib/promql';
import { explainPromFailure, promQuery, promQueryRange, type PromTarget, type VectorSample } from '../../../src/lib/prometheus-api';
import { prometheusPollerKind } from '../../../src/collect/prometheus-poller';
import type { Endpoint } from '../../../src/lib/types';

const KEY = 'sekrit-key';

function promtool(args: string[]) {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`promtool could not run (${r.error.message}): install Debian's prometheus package`);
  return r;
}

/** Writes prometheus.yml, the rules and every credentials file into `dir`. */
function writeConfig(dir: string, sources: ScrapeSource[], keys: Record<string, string>): Record<string, string> {
  const opts = { scrapeIntervalS: 1, credentialsDir: path.join(dir, 'secrets'), rulesFile: 'llamadash-rules.yml' };
  const files: Record<string, string> = { 'prometheus.yml': prometheusYml(sources, opts), 'llamadash-rules.yml': recordingRulesYml() };
  for (const j of planJobs(sources, opts)) if (j.credentialsFile) files[path.relative(dir, j.credentialsFile)] = `${keys[j.source.name]}\n`;
  return files;
}

describe('generated Prometheus configuration', () => {
  const sources: ScrapeSource[] = [
    { kind: 'llama', name: 'gpu box', url: 'http://127.0.0.1:8080', hasKey: true, routerModels: null },
    { kind: 'llama', name: 'router', url: 'https://router.lan/llama', hasKey: false, routerModels: ['tiny', 'qwen/Qwen3 8B:Q4'] },
    { kind: 'exporter', name: 'gpu box', url: 'http://127.0.0.1:8642', hasKey: true, routerModels: null },
  ];

  it('is accepted by promtool check config and check rules, with tokens only in credentials files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'llamadash-promcfg-'));
    const files = writeConfig(dir, sources, { 'gpu box': KEY });
    for (const [name, text] of Object.entries(files)) {
      spawnSync('mkdir', ['-p', path.dirname(path.join(dir, name))]);
      writeFileSync(path.join(dir, name), text);
    }
    const cfg = promtool(['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(cfg.status, cfg.stdout + cfg.stderr).toBe(0);
    const rules = promtool(['check', 'rules', path.join(dir, 'llamadash-rules.yml')]);
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
    expect(files['prometheus.yml']).not.toContain(KEY);
    expect(files['prometheus.yml']).toContain(`credentials_file: "${dir}/secrets/llama-gpu-box.token"`);
    expect(files['prometheus.yml']).toContain('model: ["qwen/Qwen3 8B:Q4"]');
    expect(files['prometheus.yml']).toContain('metrics_path: "/llama/metrics"');
  });
});

describe('a real Prometheus scraping what the generated file names', () => {
  let single: any;
  let router: any;
  let exporter: Running;
  let prom: { url: string; close: () => Promise<void>; output: () => string } | null = null;
  let target: PromTarget;

  beforeAll(async () => {
    single = await startStandIn({ port: 0, apiKey: KEY, traffic: 'steady' });
    router = await startStandIn({ port: 0, router: true, traffic: 'steady', loadMs: 100 });
    await fetch(`${router.url}/models/load`, { method: 'POST', body: JSON.stringify({ model: 'tiny' }) });
    await waitFor(async () => (await (await fetch(`${router.url}/models`)).json()).data.find((m: any) => m.id === 'tiny').status.value === 'loaded', 10_000);
    exporter = await startExporter(buildExporter(), await freePort(), ['--interval', '500']);
    const sources: ScrapeSource[] = [
      { kind: 'llama', name: 'single', url: single.url, hasKey: true, routerModels: null },
      { kind: 'llama', name: 'router', url: router.url, hasKey: false, routerModels: ['tiny', 'tiny-copy'] },
      { kind: 'exporter', name: 'box', url: exporter.base, hasKey: false, routerModels: null },
    ];
    prom = await startPrometheus({ files: (dir: string) => writeConfig(dir, sources, { single: KEY }) });
    target = { env: { fetch, pageProtocol: null, pageOrigin: null }, url: prom!.url, credential: null, timeoutMs: 5000 };
  }, 60_000);

  afterAll(async () => {
    await prom?.close();
    await exporter?.stop();
    await single?.close();
    await router?.close();
  });

  async function vector(expr: string): Promise<VectorSample[]> {
    const r = await promQuery(target, expr);
    if (!r.ok) throw new Error(`${expr}: ${JSON.stringify(r.failure)}`);
    if (r.data.resultType !== 'vector') throw new Error(`${expr}: ${r.data.resultType}`);
    return r.data.result;
  }

  it('finds the llama-servers (router models by label) and the exporter, and reads every fleet column', async () => {
    await waitFor(async () => (await vector(DISCOVERY)).length >= 3, 20_000, () => 'three instances');
    const found = (await vector(DISCOVERY)).map((s) => `${s.labels.llamadash_kind} ${s.labels.job} ${s.labels.model ?? ''}`.trim()).sort();
    expect(found).toEqual(['exporter exporter-box', 'llama llama-router-tiny tiny', 'llama llama-single']);
    for (const c of FLEET_COLUMNS) await vector(c.expr(4));
    // The instance charts and the sparkline are valid PromQL for every kind of instance.
    const now = Math.floor(Date.now() / 1000);
    for (const kind of ['llama', 'exporter', 'node', 'dcgm'] as InstanceKind[]) {
      for (const c of [...instanceCharts(kind, { job: 'llama-single', instance: '127.0.0.1:1' }, 4, 'tiny'), { id: 'spark', expr: sparklineExpr(4) }]) {
        const r = await promQueryRange(target, c.expr, now - 60, now, 2);
        expect(r.ok, `${kind} ${c.id}: ${JSON.stringify(!r.ok && r.failure)}`).toBe(true);
      }
    }
    const gpu = await vector(FLEET_COLUMNS.find((c) => c.id === 'gpuUtil')!.expr(4));
    const served = /^llamadash_gpu_utilization_ratio\{[^}]*\} (\S+)$/m.exec(await (await exporter.get('/metrics')).text());
    expect(gpu.map((s) => s.labels.job)).toEqual(['exporter-box']);
    expect(gpu[0].value).toBeCloseTo(Number(served![1]), 1);
  }, 40_000);

  it('reads generation tok/s close to what the stand-in served (within rate() extrapolation)', async () => {
    const read = async () => {
      const text = await (await fetch(`${single.url}/metrics`, { headers: { Authorization: `Bearer ${KEY}` } })).text();
      return { at: Date.now() / 1000, n: Number(/^llamacpp:tokens_predicted_total (\S+)$/m.exec(text)![1]) };
    };
    const a = await read();
    await new Promise((r) => setTimeout(r, 12_000));
    const b = await read();
    const served = (b.n - a.n) / (b.at - a.at);
    const col = FLEET_COLUMNS.find((c) => c.id === 'genTps')!;
    const got = (await vector(col.expr(12))).find((s) => s.labels.job === 'llama-single')!.value;
    expect(served).toBeGreaterThan(0);
    expect(Math.abs(got - served) / served).toBeLessThan(0.35);
  }, 40_000);

  it('scrapes a router per model with autoload=false, never loading the models that are not loaded', async () => {
    const st = await (await fetch(`${router.url}/__control`)).json();
    const scrapes = st.log.filter((l: any) => l.path === '/metrics');
    expect(scrapes.length).toBeGreaterThan(2);
    expect(scrapes.every((l: any) => new URLSearchParams(l.query).get('autoload') === 'false')).toBe(true);
    expect(st.hits.AUTOLOAD).toBeUndefined();
    const models = (await (await fetch(`${router.url}/models`)).json()).data;
    expect(models.find((m: any) => m.id === 'tiny-copy').status.value).toBe('unloaded');
    const up = await vector('up{job="llama-router-tiny-copy"}');
    expect(up.map((s) => s.value)).toEqual([0]);
  });
});

const promEndpoint = (url: string, apiKey: string | null = null): Endpoint => ({
  id: 1, kind: 'prometheus', name: 'p', url, apiKey, intervalMs: 1000, enabled: true, createdAt: 0, fromLink: false,
});
const probe = (url: string, apiKey: string | null = null) => prometheusPollerKind.probe({
  endpoint: promEndpoint(url, apiKey), fetch, now: Date.now, saveFrames: () => undefined, onStatus: () => undefined, page: { protocol: null, origin: null },
});

describe('a real Prometheus with tight limits, and none at all', () => {
  it('explains a query past --query.max-samples, and the endpoint check counts the targets up', async () => {
    const port = await freePort();
    const prom = await startPrometheus({
      port, args: ['--query.max-samples=5'],
      files: () => ({ 'prometheus.yml': `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n` }),
    });
    try {
      const t: PromTarget = { env: { fetch, pageProtocol: null, pageOrigin: null }, url: prom.url, credential: null, timeoutMs: 5000 };
      await waitFor(async () => (await probe(prom.url)).message === '1 target up: see Fleet.', 15_000, () => 'the self-scrape');
      const r = await promQuery(t, '{__name__=~".+"}');
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.failure).toMatchObject({ kind: 'api', errorType: 'execution' });
      expect(explainPromFailure(r.failure, { url: prom.url, hasCredential: false })).toMatch(/more samples than Prometheus allows \(--query\.max-samples\)/);
    } finally {
      await prom.close();
    }
  }, 30_000);

  it('says in words that nothing answers at the address', async () => {
    const st = await probe(`http://127.0.0.1:${await freePort()}`);
    expect(st.state).toBe('down');
    expect(st.message).toMatch(/^Cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+\. Check that it runs/);
  });
});

// Prometheus' own web config (--web.config.file with basic_auth_users): the password is stored as a bcrypt
// hash, made here by bcryptjs (pure JavaScript: no htpasswd or other system tool needed).
describe('a real Prometheus behind its own basic auth', () => {
  it('says a wrong or missing password in words (401), and answers with the right one', async () => {
    const port = await freePort();
    const prom = await startPrometheus({
      port, args: (dir: string) => [`--web.config.file=${path.join(dir, 'web.yml')}`],
      files: () => ({
        'prometheus.yml': `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    basic_auth: { username: admin, password: s3cret }\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`,
        'web.yml': `basic_auth_users:\n  admin: ${bcrypt.hashSync('s3cret', 4)}\n`,
      }),
      readyHeaders: { Authorization: `Basic ${btoa('admin:s3cret')}` },
    });
    try {
      const wrong = await probe(prom.url, 'Basic admin:wrong');
      expect(wrong).toMatchObject({ state: 'error' });
      expect(wrong.message).toBe('Prometheus (or the proxy in front of it) refused the credentials (401). Check the token or user and password in the endpoint settings.');
      const none = await probe(prom.url);
      expect(none.message).toBe('Prometheus (or the proxy in front of it) needs credentials (401). Enter a bearer token or "Basic user:password" in the endpoint settings.');
      await waitFor(async () => (await probe(prom.url, 'Basic admin:s3cret')).message === '1 target up: see Fleet.', 15_000, () => 'the self-scrape with the right password');
      const t: PromTarget = { env: { fetch, pageProtocol: null, pageOrigin: null }, url: prom.url, credential: 'Basic admin:s3cret', timeoutMs: 5000 };
      const r = await promQuery(t, 'up{job="self"}');
      expect(r.ok && r.data.resultType === 'vector' ? r.data.result.map((x) => x.value) : r).toEqual([1]);
    } finally {
      await prom.close();
    }
  }, 30_000);
});
