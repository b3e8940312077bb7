// Filling a directly polled llama-server's gap from a real Prometheus (Debian's /usr/bin/prometheus) that
// scrapes the stand-in every second: the filler with real sqlite-wasm storage (db/backfill.ts), the range
// query it builds, and the values Prometheus answers against what the stand-in served.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStandIn } from '../../fixtures/llama-stand-in.mjs';
import { startPrometheus } from '../../fixtures/prometheus-server.mjs';
import { waitFor } from '../exporter/harness';
import { freshDb } from '../db/helpers';
import { addEndpoint } from '../../../src/db/endpoints';
import { coverage, saveBackfill } from '../../../src/db/backfill';
import { listEvents, saveFrames } from '../../../src/db/metrics';
import { getMeta, setMeta } from '../../../src/db/metadata';
import { filledDetail, filledSpan } from '../../../src/lib/gap-plan';
import { PROM_LINK_PREFIX, type PrometheusLink } from '../../../src/lib/prom-gap-plan';
import { promQuery, promQueryRange, type PromTarget } from '../../../src/lib/prometheus-api';
import { AFTER_EXPORTER_MS, PrometheusGapFiller } from '../../../src/collect/prometheus-gap-fill';
import { prometheusPollerKind } from '../../../src/collect/prometheus-poller';
import type { Endpoint } from '../../../src/lib/types';
import type { DB } from '../../../src/db/sql';
import { decodeFrame } from '../../../src/lib/frame-codec';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let llama: { url: string; close(): Promise<void> };
let prom: { url: string; close(): Promise<void> };
let target: PromTarget;
let db: DB;

beforeAll(async () => {
  llama = await startStandIn({ port: 0, traffic: 'steady' });
  const address = new URL(llama.url).host;
  prom = await startPrometheus({
    files: () => ({ 'prometheus.yml': `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: llama-box\n    static_configs:\n      - targets: ["${address}"]\n` }),
  });
  target = { env: { fetch, pageProtocol: null, pageOrigin: null }, url: prom.url, credential: null, timeoutMs: 5000 };
  await waitFor(async () => {
    const r = await promQuery(target, 'up{job="llama-box"} == 1');
    return r.ok && r.data.resultType === 'vector' && r.data.result.length === 1;
  }, 20_000, () => 'the first scrape');
}, 40_000);

afterAll(async () => {
  await prom?.close();
  await llama?.close();
});

beforeEach(async () => {
  db = await freshDb();
});

const promEndpoint = (): Endpoint => ({ id: 99, kind: 'prometheus', name: 'p', url: prom.url, apiKey: null, intervalMs: 1000, enabled: true, createdAt: 0, fromLink: false });

/** The filler over this test's database, at a fixed `now` (a minute ahead, so the fill reaches the present). */
function filler(eps: () => Endpoint[], now: number) {
  return new PrometheusGapFiller({
    prometheus: promEndpoint(),
    store: {
      coverage: (id, from, to) => coverage(db, id, from, to),
      saveBackfill: (frames, events) => void saveBackfill(db, frames, events),
      link: () => null,
      promLink: (id) => getMeta<PrometheusLink>(db, `${PROM_LINK_PREFIX}${id}`),
    },
    endpoints: eps,
    queryRange: (expr, start, end, step) => promQueryRange(target, expr, start, end, step),
    now: () => now,
  });
}

async function served(): Promise<{ at: number; n: number }> {
  const text = await (await fetch(`${llama.url}/metrics`)).text();
  return { at: Date.now(), n: Number(/^llamacpp:tokens_predicted_total (\S+)$/m.exec(text)![1]) };
}

/** What direct polling stores while it runs: up and the counter, every 500 ms for `ms`. */
async function pollFor(ep: number, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const s = await served();
    saveFrames(db, [{ endpointId: ep, ts: s.at, values: { up: 1, 'llamacpp:tokens_predicted_total': s.n } }]);
    await sleep(500);
  }
}

const count = (ep: number) => Number(db.selectValue('SELECT count(*) FROM frames WHERE endpoint_id = ?', [ep]));
const filled = (ep: number) => listEvents(db, ep, 0, Date.now() + 3600_000).filter((e) => e.kind === 'filled').map((e) => filledSpan(e.ts, e.detail)!);

describe('filling a llama-server gap from Prometheus', () => {
  it('fills the span direct polling missed with what the stand-in served, marks it, and stores nothing twice', { timeout: 40_000 }, async () => {
    const ep = addEndpoint(db, { kind: 'llama', name: 'box', url: llama.url, apiKey: null, intervalMs: 1000, enabled: true });
    await pollFor(ep.id, 2000);
    const a = await served();
    await sleep(8000);
    const b = await served();
    await pollFor(ep.id, 2000);
    const own = count(ep.id);
    const now = Date.now() + AFTER_EXPORTER_MS;

    const f = filler(() => [ep], now);
    await f.run();
    expect(f.problem).toBeNull();
    const spans = filled(ep.id);
    expect(spans).toHaveLength(1);
    expect(spans[0].source).toBe(`Prometheus at ${new URL(prom.url).host}`);
    expect(spans[0].from).toBeGreaterThan(a.at - 1000);
    expect(spans[0].to).toBeLessThan(b.at + 1000);
    expect(spans[0].to - spans[0].from).toBeGreaterThan(5000);

    const rows = db.selectObjects('SELECT ts FROM frames WHERE endpoint_id = ? AND ts BETWEEN ? AND ? ORDER BY ts', [ep.id, spans[0].from, spans[0].to]);
    const added = count(ep.id) - own;
    expect(added).toBe(rows.length);
    expect(added).toBeGreaterThanOrEqual(5);
    // The counter Prometheus scraped is one the stand-in served in the gap, and the derived rate agrees with it.
    const { values } = readBack(ep.id, spans[0].from, spans[0].to, ['up', 'llamacpp:tokens_predicted_total', 'gen_tokens_rate']);
    expect(values.up.every((v) => v === 1)).toBe(true);
    for (const n of values['llamacpp:tokens_predicted_total']) expect(n! >= a.n - 200 && n! <= b.n + 200).toBe(true);
    const rates = values.gen_tokens_rate.filter((v): v is number => v !== null);
    const servedRate = (b.n - a.n) / ((b.at - a.at) / 1000);
    expect(servedRate).toBeGreaterThan(0);
    const meanRate = rates.reduce((s, v) => s + v, 0) / rates.length;
    expect(Math.abs(meanRate - servedRate) / servedRate).toBeLessThan(0.35);

    // A reload (a fresh filler) asks again and stores nothing twice.
    const before = count(ep.id);
    await filler(() => [ep], now).run();
    expect(count(ep.id)).toBe(before);
    expect(filled(ep.id)).toHaveLength(1);
  });

  it('takes only what an exporter has not filled already, and waits for an exporter\'s first turn', { timeout: 40_000 }, async () => {
    const ep = addEndpoint(db, { kind: 'llama', name: 'box', url: llama.url, apiKey: null, intervalMs: 1000, enabled: true });
    const exporter = addEndpoint(db, { kind: 'exporter', name: 'x', url: 'http://127.0.0.1:1', apiKey: null, intervalMs: 1000, enabled: true });
    await pollFor(ep.id, 1500);
    const gapFrom = Date.now();
    await sleep(8000);
    await pollFor(ep.id, 1500);
    // What the exporter's fill stored in the first half of the gap (its frames every 250 ms, its marker).
    const half = gapFrom + 4000;
    const xs = [];
    for (let t = gapFrom + 250; t <= half; t += 250) xs.push({ endpointId: ep.id, ts: t, values: { up: 1 } });
    saveBackfill(db, xs, [{ endpointId: ep.id, ts: xs[0].ts, kind: 'filled', detail: filledDetail({ from: xs[0].ts, to: half }, '127.0.0.1:1') }]);
    const now = Date.now() + AFTER_EXPORTER_MS;
    const eps = () => [ep, exporter];

    // Started a moment ago, with an exporter in the list: it leaves the first turn to the exporter's filler.
    let clock = now - AFTER_EXPORTER_MS;
    const f = new PrometheusGapFiller({
      prometheus: promEndpoint(),
      store: { coverage: (id, from, to) => coverage(db, id, from, to), saveBackfill: (fr, ev) => void saveBackfill(db, fr, ev), link: () => null },
      endpoints: eps,
      queryRange: (expr, start, end, step) => promQueryRange(target, expr, start, end, step),
      now: () => clock,
    });
    clock = now - 1000;
    await f.run();
    expect(filled(ep.id)).toHaveLength(1);
    clock = now;
    await f.run();
    expect(f.problem).toBeNull();
    const spans = filled(ep.id).sort((p, q) => p.from - q.from);
    expect(spans.map((s) => s.source)).toEqual(['127.0.0.1:1', `Prometheus at ${new URL(prom.url).host}`]);
    expect(spans[1].from).toBeGreaterThan(half);
    const ts = (db.selectObjects('SELECT ts FROM frames WHERE endpoint_id = ? ORDER BY ts', [ep.id]) as { ts: number }[]).map((r) => r.ts);
    expect(ts.filter((t) => t > half && t < spans[1].from - 1000)).toEqual([]);
  });

  it('fills a server Prometheus knows at another address only once it is linked by hand', { timeout: 40_000 }, async () => {
    const ep = addEndpoint(db, { kind: 'llama', name: 'box', url: llama.url.replace('127.0.0.1', 'localhost'), apiKey: null, intervalMs: 1000, enabled: true });
    await sleep(5000);
    const now = Date.now() + AFTER_EXPORTER_MS;
    await filler(() => [ep], now).run();
    expect(filled(ep.id)).toEqual([]);
    setMeta(db, `${PROM_LINK_PREFIX}${ep.id}`, { prometheusId: 99, job: 'llama-box', instance: new URL(llama.url).host } satisfies PrometheusLink);
    await filler(() => [ep], now).run();
    expect(filled(ep.id)).toHaveLength(1);
    expect(count(ep.id)).toBeGreaterThanOrEqual(3);
  });

  it('leaves spans younger than a minute alone unless a test build lowers that age', { timeout: 40_000 }, async () => {
    const ep = addEndpoint(db, { kind: 'llama', name: 'box', url: llama.url, apiKey: null, intervalMs: 1000, enabled: true });
    await pollFor(ep.id, 1500);
    await sleep(6000);
    await pollFor(ep.id, 1500);
    const make = (ageMs: number | null) => new PrometheusGapFiller({
      prometheus: promEndpoint(),
      store: { coverage: (id, from, to) => coverage(db, id, from, to), saveBackfill: (fr, ev) => void saveBackfill(db, fr, ev), link: () => null, promFillAgeMs: () => ageMs },
      endpoints: () => [ep],
      queryRange: (expr, start, end, step) => promQueryRange(target, expr, start, end, step),
      now: Date.now,
    });
    await make(null).run();
    expect(filled(ep.id)).toEqual([]);
    await make(1000).run();
    expect(filled(ep.id)).toHaveLength(1);
  });

  it('does not fill when the Prometheus endpoint is only tested (Test connection)', async () => {
    const ep = addEndpoint(db, { kind: 'llama', name: 'box', url: llama.url, apiKey: null, intervalMs: 1000, enabled: true });
    const asked: string[] = [];
    const st = await prometheusPollerKind.probe({
      endpoint: promEndpoint(), fetch, now: () => Date.now() + 2 * AFTER_EXPORTER_MS, saveFrames: () => undefined, onStatus: () => undefined,
      page: { protocol: null, origin: null }, endpoints: () => [ep],
      gaps: { coverage: (id, from, to) => (asked.push('coverage'), coverage(db, id, from, to)), saveBackfill: () => asked.push('save'), link: () => null },
    });
    expect(st.state).toBe('ok');
    expect(asked).toEqual([]);
  });
});

function readBack(ep: number, from: number, to: number, keys: string[]): { values: Record<string, (number | null)[]> } {
  const rows = db.selectObjects('SELECT f.ts, f.vals, l.keys FROM frames f JOIN layouts l ON l.id = f.layout_id WHERE f.endpoint_id = ? AND f.ts BETWEEN ? AND ? ORDER BY f.ts', [ep, from, to]) as { vals: Uint8Array; keys: string }[];
  const values: Record<string, (number | null)[]> = Object.fromEntries(keys.map((k) => [k, []]));
  for (const r of rows) {
    const names = JSON.parse(r.keys) as string[];
    const vals = decodeFrame(r.vals);
    for (const k of keys) {
      const i = names.indexOf(k);
      values[k].push(i >= 0 && i < vals.length && !Number.isNaN(vals[i]) ? vals[i] : null);
    }
  }
  return { values };
}
