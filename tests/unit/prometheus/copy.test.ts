// Keeping a local copy of an instance's charts from a real Prometheus (Debian's /usr/bin/prometheus)
// scraping the stand-in llama-server every second: read in chunks by the page's state, stored through the
// worker API on real sqlite-wasm, and read back. A second Prometheus with a tiny --query.max-samples shows
// the chunks being split, and one that allows nothing shows the failure in words with nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandIn } from '../../fixtures/llama-stand-in.mjs';
import { startPrometheus } from '../../fixtures/prometheus-server.mjs';
import { waitFor } from '../exporter/harness';
import { createApi } from '../../../src/worker/api';
import { promQueryRange, type PromTarget } from '../../../src/lib/prometheus-api';
import { PromCopiesState, type CopyReach } from '../../../src/state/prom-copies.svelte';
import type { Endpoint } from '../../../src/lib/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Prom = { url: string; close(): Promise<void> };
let llama: { url: string; close(): Promise<void> };
let prom: Prom;
let address: string;

const config = () => ({ 'prometheus.yml': `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: llama-box\n    static_configs:\n      - targets: ["${address}"]\n` });
const target = (url: string): PromTarget => ({ env: { fetch, pageProtocol: null, pageOrigin: null }, url, credential: null, timeoutMs: 5000 });

async function scraped(p: Prom): Promise<void> {
  // The targets API, not a query: a Prometheus that allows no samples answers no query at all.
  await waitFor(async () => {
    const r = (await (await fetch(`${p.url}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
    return r.data.activeTargets[0]?.health === 'up';
  }, 20_000, () => 'the first scrape');
}

beforeAll(async () => {
  llama = await startStandIn({ port: 0, traffic: 'steady' });
  address = new URL(llama.url).host;
  prom = await startPrometheus({ files: config });
  await scraped(prom);
}, 40_000);

afterAll(async () => {
  await prom?.close();
  await llama?.close();
});

async function setup(url: string, calls: { n: number } = { n: 0 }) {
  const api = createApi({ storage: 'memory', retentionEveryMs: 0 });
  await api.init();
  const endpoint: Endpoint = { id: 7, kind: 'prometheus', name: 'p', url, apiKey: null, intervalMs: 5000, enabled: true, createdAt: 0, fromLink: false };
  const reach: CopyReach = { endpoint, scrapeS: 1, queryRange: (e, s, en, st) => (calls.n++, promQueryRange(target(url), e, s, en, st)) };
  const state = new PromCopiesState();
  await state.connect(api);
  return { api, state, reach };
}

const req = { kind: 'llama' as const, job: 'llama-box', instance: '', model: null, rangeS: 60 };

async function served(): Promise<{ at: number; n: number }> {
  const text = await (await fetch(`${llama.url}/metrics`)).text();
  return { at: Date.now(), n: Number(/^llamacpp:tokens_predicted_total (\S+)$/m.exec(text)![1]) };
}

describe('keeping a local copy of an instance from Prometheus', () => {
  it('stores the range of every chart, says what it kept, and reads back what the stand-in served', { timeout: 40_000 }, async () => {
    const a = await served();
    await sleep(10_000);
    const b = await served();
    const { api, state, reach } = await setup(prom.url);
    const info = await state.keep(reach, { ...req, instance: address }, b.at);
    expect(state.result?.ok).toBe(true);
    expect(state.result?.text).toMatch(new RegExp(`^Kept a local copy of llama-box · ${address}: [\\d,]+ samples in 6 lines, .* one point every 1 s\\.$`));
    expect(info).not.toBeNull();
    expect(state.list.map((c) => c.id)).toEqual([info!.id]);
    expect(info).toMatchObject({ endpointId: 7, source: prom.url, kind: 'llama', job: 'llama-box', instance: address, stepMs: 1000, points: 61 });
    expect(info!.to).toBe(Math.floor(b.at / 1000) * 1000);
    expect(info!.samples).toBeGreaterThan(30);

    const copy = api.getPromCopy(info!.id)!;
    const gen = copy.charts.find((c) => c.id === 'genTps')!;
    const inGap = gen.ts.map((t, i) => [t * 1000, gen.values.genTps[i]] as const).filter(([t, v]) => t > a.at + 5000 && t <= b.at && v !== null).map(([, v]) => v!);
    expect(inGap.length).toBeGreaterThan(3);
    const servedRate = ((b.n - a.n) * 1000) / (b.at - a.at);
    const mean = inGap.reduce((s, v) => s + v, 0) / inGap.length;
    expect(Math.abs(mean - servedRate) / servedRate).toBeLessThan(0.35);
    expect(copy.charts.find((c) => c.id === 'processing')!.values.processing.some((v) => v !== null)).toBe(true);

    await state.remove(info!.id);
    expect(state.list).toEqual([]);
    expect(api.getPromCopy(info!.id)).toBeNull();
  });

  it('splits chunks a Prometheus with a small --query.max-samples refuses; one that allows nothing fails in words and stores nothing', { timeout: 60_000 }, async () => {
    const small = await startPrometheus({ files: config, args: ['--query.max-samples=15'] });
    const none = await startPrometheus({ files: config, args: ['--query.max-samples=1'] });
    try {
      await Promise.all([scraped(small), scraped(none)]);
      await sleep(12_000);
      const calls = { n: 0 };
      const s = await setup(small.url, calls);
      const info = await s.state.keep(s.reach, { ...req, instance: address, rangeS: 30 });
      expect(s.state.result?.ok).toBe(true);
      expect(info!.samples).toBeGreaterThan(5);
      // Seven charts of one chunk each would be seven queries: the refused ones were asked again in halves.
      expect(calls.n).toBeGreaterThan(7);

      const n = await setup(none.url);
      expect(await n.state.keep(n.reach, { ...req, instance: address, rangeS: 30 })).toBeNull();
      expect(n.state.result).toEqual({ ok: false, text: expect.stringContaining('No copy was kept: The query would read more samples than Prometheus allows (--query.max-samples)') });
      expect(n.api.listPromCopies()).toEqual([]);
    } finally {
      await small.close();
      await none.close();
    }
  });

  it('says so when Prometheus cannot be reached, and stores nothing', async () => {
    const { api, state, reach } = await setup('http://127.0.0.1:1');
    expect(await state.keep(reach, { ...req, instance: address })).toBeNull();
    expect(state.result).toEqual({ ok: false, text: 'No copy was kept: Cannot reach Prometheus at http://127.0.0.1:1. Check that it runs and listens there (by default on port 9090) and that no firewall blocks the port.' });
    expect(api.listPromCopies()).toEqual([]);
  });
});
