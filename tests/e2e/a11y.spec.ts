import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { startExporter, type Running } from '../unit/exporter/harness';
import { builtExporter, dbCall, waitForDb } from './helpers';

// axe-core over every page and dialog, in both themes: no serious or critical violation. And the pages
// stay usable on a phone: nothing scrolls sideways at 390 px. Ports 18310-18319 belong to this spec.
const PORT = 18310;

let exporter: Running;
let server: Awaited<ReturnType<typeof startStandIn>>;
test.beforeAll(async () => {
  server = await startStandIn({ port: PORT, traffic: 'steady', slots: 2 });
  exporter = await startExporter(builtExporter(), PORT + 1, ['--interval', '500ms'], { control: { mode: 'ok', gpus: 1, util: 37 } });
});
test.afterAll(async () => {
  await exporter?.stop();
  await server?.close();
});

/** Serious and critical findings of axe on what the page shows now, as readable lines. */
async function audit(page: Page, view: string): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${view}: ${v.id} (${v.impact}) on ${v.nodes.length} node(s): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

for (const theme of ['light', 'dark'] as const) {
  test(`every page and dialog passes axe in the ${theme} theme`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.addInitScript((t) => localStorage.setItem('ui.theme', t), theme);
    const found: string[] = [];

    await page.goto('./#/dashboard');
    await waitForDb(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    found.push(...await audit(page, 'empty dashboard'));

    await page.goto(`./?server=${encodeURIComponent(server.url)}&exporter=${encodeURIComponent(exporter.base)}#/dashboard`);
    await waitForDb(page);
    await expect(page.getByTestId('endpoint-card')).toHaveCount(1);
    await expect.poll(async () => Number(await page.locator('[data-testid=chart]').first().getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(1);
    found.push(...await audit(page, 'dashboard with a server and an exporter'));
    await page.getByRole('button', { name: 'Manage endpoints' }).click();
    found.push(...await audit(page, 'manage endpoints'));

    await page.goto('./#/models');
    await waitForDb(page);
    await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();
    found.push(...await audit(page, 'models, empty'));
    await page.getByRole('button', { name: /Import (a|your) command/ }).first().click();
    found.push(...await audit(page, 'import dialog'));
    await page.keyboard.press('Escape');
    await dbCall(page, 'createModel', { name: 'a11y check', family: '', type: 'chat', status: 'draft', notes: '', args: { '--ctx-size': 4096 }, extraArgs: [], catalogueId: null, endpointId: null, routerModel: null });
    await page.reload();
    await waitForDb(page);
    found.push(...await audit(page, 'models list'));
    await page.getByRole('button', { name: 'a11y check', exact: true }).click();
    found.push(...await audit(page, 'model editor'));
    await page.getByRole('button', { name: 'Export…' }).click();
    found.push(...await audit(page, 'export panel'));

    await page.goto('./#/requests');
    await waitForDb(page);
    await expect(page.getByRole('heading', { name: 'Requests', level: 1 })).toBeVisible();
    found.push(...await audit(page, 'requests'));
    await page.goto('./#/fleet');
    await waitForDb(page);
    await expect(page.getByRole('heading', { name: 'Fleet', level: 1 })).toBeVisible();
    found.push(...await audit(page, 'fleet'));

    await page.goto('./#/settings');
    await waitForDb(page);
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
    found.push(...await audit(page, 'settings'));
    await page.getByRole('button', { name: /^Export database/ }).click();
    found.push(...await audit(page, 'export database dialog'));

    expect(found).toEqual([]);
  });
}

test('no page scrolls sideways at 390 px wide', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`./?server=${encodeURIComponent(server.url)}&exporter=${encodeURIComponent(exporter.base)}#/dashboard`);
  await waitForDb(page);
  await expect(page.getByTestId('endpoint-card')).toHaveCount(1);
  const over: Record<string, number> = {};
  for (const route of ['dashboard', 'fleet', 'models', 'requests', 'settings']) {
    await page.goto(`./#/${route}`);
    await waitForDb(page);
    await page.waitForTimeout(500);
    over[route] = await sideways(page);
  }
  expect(over).toEqual({ dashboard: 0, fleet: 0, models: 0, requests: 0, settings: 0 });
});
