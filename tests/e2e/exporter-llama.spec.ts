import { expect, test } from '@playwright/test';
import type { Endpoint, HistoryResult, SeriesEvent } from '../../src/lib/types';
import { filledSpan } from '../../src/lib/gap-plan';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { startExporter, type Running } from '../unit/exporter/harness';
import { builtExporter, dbCall, launchProfile, tempProfile, waitForDb } from './helpers';

// The dashboard closed for a while (page closed, browser and profile kept) while the stand-in llama-server
// serves traffic and restarts, watched by the real exporter (--llama). On reopening, the llama charts have
// that span, filled from the exporter and marked, with no duplicate samples and no negative rate.
// Exporter port 18270 belongs to this spec.
const PORT = 18270;
const RATES = ['prompt_tps', 'gen_tps', 'prompt_tokens_rate', 'gen_tokens_rate', 'requests_per_min'];

interface StandIn { url: string; close(): Promise<void>; control(p: Record<string, unknown>): { hits: Record<string, number> } }
let llama: StandIn;
let exporter: Running;
test.beforeAll(async () => {
  llama = (await startStandIn({ port: 0, traffic: 'steady' })) as StandIn;
  exporter = await startExporter(builtExporter(), PORT, ['--interval', '500ms', '--nvidia-smi', 'off', '--llama', llama.url, '--llama-interval', '250ms'], { fake: false });
});
test.afterAll(async () => {
  await exporter?.stop();
  await llama?.close();
});

test('hours the dashboard was closed are filled from the exporter, marked, once, with no negative rate', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const profile = tempProfile();
  const context = await launchProfile(profile.dir, baseURL);
  try {
    let page = await context.newPage();
    await page.goto(`./?server=${encodeURIComponent(llama.url)}&exporter=${encodeURIComponent(exporter.base)}#/dashboard`);
    await waitForDb(page);
    const llamaEp = (await dbCall<Endpoint[]>(page, 'listEndpoints')).find((e) => e.kind === 'llama')!;
    await expect.poll(async () => (await dbCall<{ ts: number } | null>(page, 'latest', llamaEp.id))?.ts ?? 0).toBeGreaterThan(Date.now() - 2000);

    // Manage endpoints says what the exporter watches and that it covers the server.
    await page.getByRole('button', { name: 'Manage endpoints' }).click();
    await expect(page.getByTestId('exporter-watches')).toContainText(`Watches ${new URL(llama.url).host} (up)`);
    await expect(page.getByTestId('llama-coverage')).toContainText('Gaps filled from');

    // Closed: nothing of the dashboard runs. The server restarts meanwhile (counters back to 0).
    await page.close();
    const closedAt = Date.now();
    await new Promise((r) => setTimeout(r, 4000));
    llama.control({ restart: true });
    await new Promise((r) => setTimeout(r, 5000));
    const reopenedAt = Date.now();

    page = await context.newPage();
    await page.goto('./#/dashboard');
    await waitForDb(page);
    const filled = async () => (await dbCall<SeriesEvent[]>(page, 'events', llamaEp.id, 0, Date.now() + 1000)).filter((e) => e.kind === 'filled');
    await expect.poll(async () => (await filled()).length, { timeout: 20_000 }).toBe(1);
    const span = filledSpan((await filled())[0].ts, (await filled())[0].detail)!;
    expect(span.from).toBeGreaterThan(closedAt - 2000);
    expect(span.to).toBeLessThan(reopenedAt + 2000);
    expect(span.to - span.from).toBeGreaterThan(6000);

    const h = await dbCall<HistoryResult>(page, 'history', { endpointId: llamaEp.id, keys: ['up', ...RATES], from: span.from, to: span.to, points: 100_000 });
    expect(h.ts.length).toBeGreaterThanOrEqual(Math.floor((span.to - span.from) / 250) - 4);
    expect(new Set(h.ts).size).toBe(h.ts.length);
    expect(h.values.up.every((v) => v === 1)).toBe(true);
    const all = await dbCall<HistoryResult>(page, 'history', { endpointId: llamaEp.id, keys: RATES, from: 0, to: Date.now() + 1000, points: 100_000 });
    for (const k of RATES) expect(all.values[k].filter((v) => v !== null && v < 0), k).toEqual([]);
    expect((await dbCall<SeriesEvent[]>(page, 'events', llamaEp.id, span.from, span.to)).filter((e) => e.kind === 'restart')).toHaveLength(1);

    // The charts draw the span and say where it came from.
    const tps = page.locator('[data-testid=chart][data-title="Tokens per second"]').first();
    await expect(tps.locator('.markers')).toHaveAttribute('title', /from the exporter/);

    // A reload checks again and stores nothing twice.
    const before = h.ts.length;
    await page.reload();
    await waitForDb(page);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await filled()).length).toBe(1);
    const again = await dbCall<HistoryResult>(page, 'history', { endpointId: llamaEp.id, keys: ['up'], from: span.from, to: span.to, points: 100_000 });
    expect(again.ts.length).toBe(before);
  } finally {
    await context.close();
    profile.remove();
  }
});

test('an idle server\'s card takes its figures from the exporter\'s stream, says so, and reads the server itself once requests run', async ({ baseURL }) => {
  test.setTimeout(60_000);
  llama.control({ traffic: 'idle' });
  const profile = tempProfile();
  const context = await launchProfile(profile.dir, baseURL);
  try {
    const page = await context.newPage();
    await page.goto(`./?server=${encodeURIComponent(llama.url)}&exporter=${encodeURIComponent(exporter.base)}#/dashboard`);
    await waitForDb(page);
    const card = page.getByTestId('endpoint-card');
    await expect(card.getByTestId('relayed-by')).toHaveText(`via ${new URL(exporter.base).host}`, { timeout: 15_000 });
    llama.control({ generating: { tokens: 2000 } });
    await expect(card.getByTestId('status-badge')).toHaveAttribute('data-state', 'busy', { timeout: 10_000 });
    await expect(card.getByTestId('relayed-by')).toHaveCount(0);
    llama.control({ generating: false });
    await expect(card.getByTestId('relayed-by')).toBeVisible({ timeout: 15_000 });
  } finally {
    llama.control({ traffic: 'steady' });
    await context.close();
    profile.remove();
  }
});

test('a server no exporter watches is told the flag that has the exporter watch it', async ({ baseURL }) => {
  test.setTimeout(60_000);
  const other = (await startStandIn({ port: 0, traffic: 'idle' })) as StandIn;
  const profile = tempProfile();
  const context = await launchProfile(profile.dir, baseURL);
  try {
    const page = await context.newPage();
    const servers = [llama, other].map((s) => `server=${encodeURIComponent(s.url)}`).join('&');
    await page.goto(`./?${servers}&exporter=${encodeURIComponent(exporter.base)}#/dashboard`);
    await waitForDb(page);
    await page.getByRole('button', { name: 'Manage endpoints' }).click();
    const coverage = page.getByTestId('llama-coverage');
    await expect(coverage).toHaveCount(2);
    await expect(coverage.filter({ hasText: 'Gaps filled from' })).toHaveCount(1, { timeout: 15_000 });
    const unwatched = coverage.filter({ hasText: 'No exporter watches it' });
    await expect(unwatched).toHaveCount(1);
    await expect(unwatched.locator('code')).toHaveText(`--llama ${other.url}`);
  } finally {
    await context.close();
    profile.remove();
    await other.close();
  }
});
