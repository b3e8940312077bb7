import { expect, test, type Page } from '@playwright/test';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { dbCall, dbStatus, openApp, waitForDb } from './helpers';
import type { Endpoint, ModelConfig, ModelConfigInput } from '../../src/lib/types';

// Several tabs of one browser: one worker owns the database and polls, every tab shows everything live.
// Ports 18260-18269 belong to this spec.
const PORT = 18260;
const INTERVAL_MS = 1000;

const card = (page: Page) => page.getByTestId('endpoint-card');
const points = async (page: Page) => Number(await page.locator('[data-testid=chart][data-title="Tokens per second"]').first().getAttribute('data-points'));

function model(name: string): ModelConfigInput {
  return {
    name, family: 'qwen', type: 'chat', status: 'draft', notes: 'e2e', args: { '--ctx-size': 4096 }, extraArgs: [],
    catalogueId: null, endpointId: null, routerModel: null,
  };
}

/** Every tab shows the server's card with its live values, and its chart keeps growing. */
async function showsLive(page: Page): Promise<void> {
  await expect(card(page)).toHaveCount(1);
  await expect(card(page).getByTestId('status-badge')).toHaveAttribute('data-state', /^(ok|busy)$/);
  await expect(card(page).getByTestId('slots')).toHaveText(/^\d \/ 2$/);
  const early = await points(page);
  await expect.poll(() => points(page), { timeout: 15_000 }).toBeGreaterThan(early + 2);
}

/** Times of the /metrics requests the stand-in saw. */
async function metricsTimes(server: Awaited<ReturnType<typeof startStandIn>>): Promise<number[]> {
  return server.state().log.filter((r: { path: string }) => r.path === '/metrics').map((r: { t: number }) => r.t);
}

/**
 * One poller at a time, none missing for long. Two pollers would double the request rate, so the count
 * over the span says it (a single late tick followed by an on-time one, on a loaded machine, does not);
 * and no gap between consecutive /metrics requests lasts longer than two intervals.
 */
function expectOnePoller(times: number[]): void {
  expect(times.length).toBeGreaterThan(5);
  const span = times[times.length - 1] - times[0];
  expect(times.length - 1).toBeLessThanOrEqual(Math.floor((span / INTERVAL_MS) * 1.25) + 1);
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  expect(Math.max(...gaps)).toBeLessThanOrEqual(INTERVAL_MS * 2);
}

test('three tabs all show live values, and an edit in one appears in the others', async ({ context }) => {
  test.setTimeout(90_000);
  const server = await startStandIn({ port: PORT, traffic: 'steady', slots: 2 });
  try {
    const tabs = [await context.newPage(), await context.newPage(), await context.newPage()];
    await tabs[0].goto(`./?server=${encodeURIComponent(server.url)}#/dashboard`);
    await waitForDb(tabs[0]);
    for (const t of tabs.slice(1)) await openApp(t);
    server.control({ generating: { tokens: 4000, ms: 40_000 } });
    for (const t of tabs) {
      await showsLive(t);
      await expect(t.getByTestId('db-banner')).toHaveCount(0);
    }
    for (const t of tabs) await expect.poll(async () => parseFloat((await card(t).getByTestId('gen-tps').textContent()) ?? '') || 0).toBeGreaterThan(0);

    // An endpoint added in the second tab appears in the first and third.
    await dbCall<Endpoint>(tabs[1], 'addEndpoint', {
      kind: 'llama', name: 'second box', url: `http://127.0.0.1:${PORT + 9}`, apiKey: null, intervalMs: INTERVAL_MS, enabled: true,
    });
    for (const t of tabs) await expect(card(t)).toHaveCount(2);

    // A model created in the third tab and renamed in the first shows its new name in every tab.
    for (const t of tabs) await t.goto('#/models');
    const created = await dbCall<ModelConfig>(tabs[2], 'createModel', model('tab-three-model'));
    for (const t of tabs) await expect(t.getByRole('button', { name: 'tab-three-model', exact: true })).toBeVisible();
    await dbCall(tabs[0], 'updateModel', created.id, { name: 'renamed-in-tab-one' });
    for (const t of tabs) {
      await expect(t.getByRole('button', { name: 'renamed-in-tab-one', exact: true })).toBeVisible();
      await expect(t.getByRole('button', { name: 'tab-three-model', exact: true })).toHaveCount(0);
    }

    // A preference chosen in one tab (the theme) applies in all.
    await dbCall(tabs[1], 'setMeta', 'ui.theme', 'dark');
    for (const t of tabs) await expect(t.locator('html')).toHaveAttribute('data-theme', 'dark');

    // Only one tab polls: three open tabs do not triple the requests.
    server.control({ resetHits: true });
    await tabs[0].waitForTimeout(6000);
    expectOnePoller(await metricsTimes(server));
  } finally {
    await server.close();
  }
});

test('closing the owner tab hands the database over: polling goes on, one poller at a time, nothing lost', async ({ context }) => {
  test.setTimeout(120_000);
  const server = await startStandIn({ port: PORT + 1, traffic: 'steady', slots: 2 });
  try {
    const owner = await context.newPage();
    await owner.goto(`./?server=${encodeURIComponent(server.url)}#/dashboard`);
    await waitForDb(owner);
    await dbCall(owner, 'setMeta', 'e2e.marker', 'written by the first owner');
    const others = [await context.newPage(), await context.newPage()];
    for (const t of others) await openApp(t);
    for (const t of others) await showsLive(t);

    server.control({ resetHits: true });
    await owner.waitForTimeout(3000);
    await owner.close();
    for (const t of others) {
      await waitForDb(t);
      await showsLive(t);
      expect(await dbCall(t, 'getMeta', 'e2e.marker')).toBe('written by the first owner');
    }
    await others[0].waitForTimeout(4000);
    expectOnePoller(await metricsTimes(server));

    // A reload of either tab (one of them owns the database now) keeps everything and polling goes on.
    for (const t of others) {
      const before = await points(t);
      server.control({ resetHits: true });
      await t.reload();
      await waitForDb(t);
      await expect(card(t)).toHaveCount(1);
      await expect.poll(() => points(t), { timeout: 5000 }).toBeGreaterThanOrEqual(before);
      await showsLive(t);
      expect(await dbCall(t, 'getMeta', 'e2e.marker')).toBe('written by the first owner');
      await expect(dbStatus(t)).toHaveText('Database ready');
      await t.waitForTimeout(4000);
      expectOnePoller(await metricsTimes(server));
    }
  } finally {
    await server.close();
  }
});
