import { expect, test, type Locator, type Page } from '@playwright/test';
import { statfsSync } from 'node:fs';
import os from 'node:os';
import type { Endpoint, HistoryResult } from '../../src/lib/types';
import { formatBytes } from '../../src/lib/format';
import { startExporter, type Running } from '../unit/exporter/harness';
import { builtExporter, dbCall, openApp, waitForDb } from './helpers';

// The dashboard with the real exporter beside it: host figures of this machine, GPU figures from the
// stand-in nvidia-smi on the exporter's PATH. Exporter ports 18230-18235 belong to this spec.
const PORT = 18230;

let exporter: Running;
test.beforeAll(async () => {
  exporter = await startExporter(builtExporter(), PORT, ['--interval', '500ms'], { control: { mode: 'ok', gpus: 2, util: 37 } });
});
test.afterAll(async () => {
  await exporter?.stop();
});

const panel = (page: Page) => page.getByTestId('exporter-panel');
const chart = (page: Page, title: string) => panel(page).locator(`[data-testid=chart][data-title="${title}"]`).first();
const points = async (page: Page, title: string) => Number(await chart(page, title).getAttribute('data-points'));
/** Painted pixels in a chart's y-axis area and in its first two columns, where a label cut off on the left would show. */
const axisInk = (c: Locator) => c.evaluate((el) => {
  const canvas = el.querySelector('canvas')!;
  const axisPx = Math.round((el.querySelector<HTMLElement>('.u-over')!.offsetLeft) * devicePixelRatio);
  const count = (w: number) => canvas.getContext('2d')!.getImageData(0, 0, w, canvas.height).data.filter((v, i) => i % 4 === 3 && v > 0).length;
  return { axis: count(axisPx), edge: count(Math.ceil(2 * devicePixelRatio)) };
});

test('an exporter given by ?exporter= shows this host\'s figures and the stand-in GPUs, charted and kept', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(`./?exporter=${encodeURIComponent(exporter.base)}#/dashboard`);
  await waitForDb(page);
  await expect(panel(page)).toHaveCount(1);
  await expect(panel(page).getByTestId('status-badge')).toHaveAttribute('data-state', 'ok');

  // Host: real values of this machine.
  await expect(panel(page).getByTestId('host-cpu')).toHaveText(/^\d[\d.,]* %$/);
  await expect(panel(page).getByTestId('host-mem')).toHaveText(new RegExp(` / ${formatBytes(os.totalmem()).replace('.', '\\.')}$`));
  const root = statfsSync('/');
  await expect(panel(page).locator('[data-testid=host-disk][data-path="/"]')).toHaveText(new RegExp(` / ${formatBytes(root.blocks * root.bsize).replace('.', '\\.')}$`));

  // GPUs: the stand-in's two boards.
  const gpus = panel(page).getByTestId('gpu-section');
  await expect(gpus).toHaveCount(2);
  await expect(gpus.nth(0).getByTestId('gpu-name')).toHaveText('GPU 0: NVIDIA Stand-in 0');
  await expect(gpus.nth(1).getByTestId('gpu-util')).toHaveText('38 %');
  await expect(gpus.nth(0).getByTestId('gpu-temp')).toHaveText('50 °C');
  await expect(gpus.nth(0).getByTestId('gpu-power')).toHaveText('121 W / 350 W');
  await expect(gpus.nth(0).getByTestId('gpu-mem')).toHaveText(/^1,?0\d\d MiB \/ 24 GiB$/);
  await expect(gpus.nth(1).getByTestId('gpu-fan')).toHaveText('40 %');

  const early = await points(page, 'CPU busy');
  await expect.poll(() => points(page, 'CPU busy'), { timeout: 15_000 }).toBeGreaterThan(early + 2);
  await expect(gpus.nth(0).locator('[data-testid=chart][data-title="Utilisation"]').getByRole('group')).toHaveAttribute('aria-label', /GPU 37 %/);
  // The memory axis runs to about 26 GiB: labels like "23.3 GiB" are drawn whole, none starts cut at the left edge.
  const gpuMem = gpus.nth(0).locator('[data-testid=chart][data-title="Memory"]');
  await expect.poll(async () => (await axisInk(gpuMem)).axis, { timeout: 10_000 }).toBeGreaterThan(0);
  expect((await axisInk(gpuMem)).edge).toBe(0);

  // After a reload, what is shown at once came from the local database.
  const before = await points(page, 'CPU busy');
  await page.reload();
  await waitForDb(page);
  await expect.poll(() => points(page, 'CPU busy'), { timeout: 5000 }).toBeGreaterThanOrEqual(before);
  await expect(panel(page).getByTestId('gpu-section')).toHaveCount(2);
});

test('samples taken while no tab was open are filled in from the exporter\'s history', async ({ context }) => {
  test.setTimeout(90_000);
  let page = await context.newPage();
  await page.goto(`./?exporter=${encodeURIComponent(exporter.base)}#/dashboard`);
  await waitForDb(page);
  await expect(panel(page).getByTestId('status-badge')).toHaveAttribute('data-state', 'ok');
  await expect.poll(() => points(page, 'CPU busy'), { timeout: 15_000 }).toBeGreaterThan(2);
  await page.close();
  const closedAt = Date.now();
  await new Promise((r) => setTimeout(r, 5000));
  const reopenedAt = Date.now();

  page = await context.newPage();
  await page.goto('./#/dashboard');
  await waitForDb(page);
  await expect(panel(page).getByTestId('status-badge')).toHaveAttribute('data-state', 'ok');
  const [ep] = (await dbCall<Endpoint[]>(page, 'listEndpoints')).filter((e) => e.kind === 'exporter');
  const closed = async () => {
    const h = await dbCall<HistoryResult>(page, 'history', { endpointId: ep.id, keys: ['cpu_util', 'gpu_util{gpu="0"}'], from: closedAt + 1000, to: reopenedAt - 500, points: 1000 });
    return h.ts.length;
  };
  // The exporter sampled every 500 ms while the tab was closed: about 7 of those samples come back.
  await expect.poll(closed, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
  await page.close();
});

test('an unreachable exporter shows how to get and run it, and the built site serves the file', async ({ page }) => {
  await page.goto(`./?exporter=${encodeURIComponent('http://127.0.0.1:18233')}#/dashboard`);
  await waitForDb(page);
  await expect(panel(page).getByTestId('status-badge')).toHaveAttribute('data-state', 'down', { timeout: 15_000 });
  await expect(panel(page).getByTestId('status-message')).toContainText('Cannot reach the exporter at 127.0.0.1:18233');
  const setup = panel(page).getByTestId('exporter-setup');
  // This page is served from 127.0.0.1, which the exporter allows by default: no --cors needed.
  await expect(setup.getByTestId('exporter-command')).toHaveText('node llama-dash-exporter.mjs');
  const href = await setup.getByRole('link', { name: /Download/ }).getAttribute('href');
  const got = await page.evaluate((u) => fetch(u!).then(async (r) => `${r.status} ${(await r.text()).split('\n')[0]}`), href);
  expect(got).toBe('200 #!/usr/bin/env node');
});

test('before any exporter exists, choosing the exporter kind in the add form shows how to get and run it', async ({ page }) => {
  await openApp(page);
  const form = page.getByRole('form', { name: 'Add an endpoint' });
  await expect(form.getByTestId('exporter-setup')).toHaveCount(0);
  await form.getByLabel('Kind').selectOption('exporter');
  const setup = form.getByTestId('exporter-setup');
  await expect(setup.getByTestId('exporter-command')).toHaveText('node llama-dash-exporter.mjs');
  const href = await setup.getByRole('link', { name: /Download/ }).getAttribute('href');
  const got = await page.evaluate((u) => fetch(u!).then(async (r) => `${r.status} ${(await r.text()).split('\n')[0]}`), href);
  expect(got).toBe('200 #!/usr/bin/env node');
  // Once it runs, the same form adds it and its panel shows the host.
  await form.getByLabel('Base URL').fill(exporter.base);
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(panel(page).getByTestId('status-badge')).toHaveAttribute('data-state', 'ok', { timeout: 15_000 });
  const list = await dbCall<Endpoint[]>(page, 'listEndpoints');
  expect(list.map((e) => [e.kind, e.url])).toEqual([['exporter', exporter.base]]);
});

test('a token-protected exporter is read with the key through the CORS preflight; a page it does not allow is told the fix', async ({ page }) => {
  test.setTimeout(60_000);
  const [locked, elsewhere] = await Promise.all([
    startExporter(builtExporter(), PORT + 4, ['--interval', '500ms'], { control: { mode: 'ok', gpus: 1 }, env: { LLAMADASH_EXPORTER_TOKEN: 'e2e-token' } }),
    startExporter(builtExporter(), PORT + 5, ['--interval', '500ms', '--nvidia-smi', 'off', '--cors', 'https://other.example']),
  ]);
  try {
    await page.goto('./#/dashboard');
    await waitForDb(page);
    const add = (url: string, name: string, apiKey: string | null) =>
      dbCall(page, 'addEndpoint', { kind: 'exporter', name, url, apiKey, intervalMs: 1000, enabled: true });
    await add(locked.base, 'locked', 'e2e-token');
    await add(elsewhere.base, 'elsewhere', null);
    const lockedPanel = page.locator('[data-testid=exporter-panel][aria-label=locked]');
    const otherPanel = page.locator('[data-testid=exporter-panel][aria-label=elsewhere]');
    await expect(lockedPanel.getByTestId('status-badge')).toHaveAttribute('data-state', 'ok', { timeout: 15_000 });
    await expect(lockedPanel.getByTestId('gpu-util')).toHaveText('37 %');
    await expect(otherPanel.getByTestId('status-badge')).toHaveAttribute('data-state', 'down', { timeout: 15_000 });
    const origin = new URL(page.url()).origin;
    await expect(otherPanel.getByTestId('status-message')).toContainText(`Start it with --cors ${origin}`);
  } finally {
    await Promise.all([locked.stop(), elsewhere.stop()]);
  }
});
