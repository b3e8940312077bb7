import { expect, test } from '@playwright/test';
import type { Endpoint, HistoryResult, SeriesEvent } from '../../src/lib/types';
import { filledSpan } from '../../src/lib/gap-plan';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { startPrometheus } from '../fixtures/prometheus-server.mjs';
import { dbCall, launchProfile, tempProfile, waitForDb } from './helpers';

// The dashboard polls the stand-in llama-server itself while a real Prometheus (Debian's
// /usr/bin/prometheus, free loopback port) scrapes it every second. The page closes for a while (browser
// and profile kept); on reopening, the missed span is filled from Prometheus by the worker's real filler
// and marked "from Prometheus" on the chart. The test build's knob (metadata test.promFillAgeMs, read only
// in --mode test) lowers the minute a span must age before Prometheus fills it to 2 s.

test('a span missed while the dashboard was closed is filled from Prometheus and marked on the chart', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const llama = await startStandIn({ port: 0, traffic: 'steady' });
  const address = new URL(llama.url).host;
  const prom = await startPrometheus({
    files: () => ({ 'prometheus.yml': `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: llama-box\n    static_configs:\n      - targets: ["${address}"]\n` }),
  });
  const profile = tempProfile();
  const context = await launchProfile(profile.dir, baseURL);
  try {
    let page = await context.newPage();
    await page.goto(`./?server=${encodeURIComponent(llama.url)}&prometheus=${encodeURIComponent(prom.url)}#/dashboard`);
    await waitForDb(page);
    await dbCall(page, 'setMeta', 'test.promFillAgeMs', 2000);
    const llamaEp = (await dbCall<Endpoint[]>(page, 'listEndpoints')).find((e) => e.kind === 'llama')!;
    await expect.poll(async () => (await dbCall<{ ts: number } | null>(page, 'latest', llamaEp.id))?.ts ?? 0, { timeout: 15_000 }).toBeGreaterThan(Date.now() - 3000);

    const served = async () => Number(/^llamacpp:tokens_predicted_total (\S+)$/m.exec(await (await fetch(`${llama.url}/metrics`)).text())![1]);
    // Read while polling goes on: the filled span starts after a later poll, so its counters are no lower.
    const before = await served();
    await new Promise((r) => setTimeout(r, 2000));
    await page.close();
    const closedAt = Date.now();
    await new Promise((r) => setTimeout(r, 10_000));
    const reopenedAt = Date.now();

    page = await context.newPage();
    await page.goto('./#/dashboard');
    await waitForDb(page);
    const filled = async () => (await dbCall<SeriesEvent[]>(page, 'events', llamaEp.id, 0, Date.now() + 1000)).filter((e) => e.kind === 'filled');
    await expect.poll(async () => (await filled()).length, { timeout: 30_000 }).toBe(1);
    const after = await served();
    const span = filledSpan((await filled())[0].ts, (await filled())[0].detail)!;
    expect(span.source).toBe(`Prometheus at ${new URL(prom.url).host}`);
    expect(span.from).toBeGreaterThan(closedAt - 3000);
    expect(span.to).toBeLessThan(reopenedAt + 3000);
    // Closed 10 s; the last 2 s before the first check are left to polling (the knob), the edges to the samples around.
    expect(span.to - span.from).toBeGreaterThanOrEqual(5000);

    // At Prometheus' 1 s scrapes: the target up, the counter the stand-in served meanwhile (it moves when a
    // request ends, so it climbs in steps), and rates derived from it that are never negative.
    const total = 'llamacpp:tokens_predicted_total';
    const h = await dbCall<HistoryResult>(page, 'history', { endpointId: llamaEp.id, keys: ['up', total, 'gen_tokens_rate'], from: span.from, to: span.to, points: 100_000 });
    expect(h.ts.length).toBeGreaterThanOrEqual(Math.floor((span.to - span.from) / 1000) - 2);
    expect(h.values.up.every((v) => v === 1)).toBe(true);
    const counts = h.values[total];
    expect(counts.every((n, i) => n !== null && n >= before && n <= after && (i === 0 || n >= counts[i - 1]!))).toBe(true);
    expect(counts.at(-1)!).toBeGreaterThan(counts[0]!);
    expect(h.values.gen_tokens_rate.some((v) => v !== null && v > 0)).toBe(true);
    expect(h.values.gen_tokens_rate.every((v) => v === null || v >= 0)).toBe(true);

    const tps = page.locator('[data-testid=chart][data-title="Tokens per second"]').first();
    await expect(tps.locator('.markers')).toHaveAttribute('title', /from Prometheus/);
  } finally {
    await context.close();
    profile.remove();
    await prom.close();
    await llama.close();
  }
});
