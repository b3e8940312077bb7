import { chromium, expect, test } from '@playwright/test';
import { resolve } from 'node:path';
import { chromiumArgs } from '../../playwright.config';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { startStaticServer } from '../fixtures/static-server.mjs';
import { startExporter } from '../unit/exporter/harness';
import { builtExporter, dbCall, dbStatus, openApp, waitForDb } from './helpers';

const PORT = 18260;
// Port 18263 is this spec's exporter (18261 serves the static site below).
const EXPORTER_PORT = 18263;

test('the empty dashboard finds a local llama-server on request, reading only /health and /props, and adds it', async ({ page }) => {
  const server = await startStandIn({ port: PORT, traffic: 'idle' });
  try {
    // The page is on 127.0.0.1:4173; ?local= adds the stand-in's port to the addresses it tries.
    await page.goto(`/?local=http://127.0.0.1:${PORT}#/dashboard`);
    await waitForDb(page);
    const search = page.getByTestId('local-search');
    await expect(search).toContainText(`Asks http://127.0.0.1:4173, http://127.0.0.1:8080, http://127.0.0.1:8642, http://127.0.0.1:${PORT}`);
    expect(server.state().log).toEqual([]);

    await search.getByRole('button', { name: 'Look for a local llama-server' }).click();
    await expect(search).toContainText(`http://127.0.0.1:${PORT}: a llama-server serving tiny.gguf.`);
    // The page's own origin is a static server: it answers /health, but it is no llama-server.
    await expect(search).toContainText("http://127.0.0.1:4173: Something answers here, but its /props is not a llama-server's.");
    await expect(search).toContainText('http://127.0.0.1:8642: No companion exporter answers here (npm start runs one).');
    expect(Object.keys(server.state().hits).sort()).toEqual(['GET /health', 'GET /props']);
    expect(await dbCall(page, 'listEndpoints')).toEqual([]);

    await search.getByRole('button', { name: `Add http://127.0.0.1:${PORT}` }).click();
    await expect(page.getByRole('heading', { name: 'Point the dashboard at a llama-server' })).toHaveCount(0);
    await expect(page.getByText('tiny.gguf').first()).toBeVisible();
    expect(await dbCall(page, 'listEndpoints')).toMatchObject([{ kind: 'llama', url: `http://127.0.0.1:${PORT}` }]);
  } finally {
    await server.close();
  }
});

test('the search also finds the companion exporter where no llama-server answers, and adding the server brings it along', async ({ page }) => {
  const server = await startStandIn({ port: PORT, traffic: 'idle' });
  const exporter = await startExporter(builtExporter(), EXPORTER_PORT, ['--nvidia-smi', 'off', '--llama', server.url], { fake: false });
  try {
    await page.goto(`/?local=http://127.0.0.1:${PORT}&local=http://127.0.0.1:${EXPORTER_PORT}#/dashboard`);
    await waitForDb(page);
    const search = page.getByTestId('local-search');
    await search.getByRole('button', { name: 'Look for a local llama-server' }).click();
    await expect(search).toContainText(`http://127.0.0.1:${EXPORTER_PORT}: the companion exporter (GPU and host statistics), watching ${server.url}.`);
    await search.getByRole('button', { name: `Add http://127.0.0.1:${PORT} and the exporter` }).click();
    await expect(page.getByRole('heading', { name: 'Point the dashboard at a llama-server' })).toHaveCount(0);
    await expect.poll(async () => (await dbCall<{ kind: string; url: string }[]>(page, 'listEndpoints')).map((e) => `${e.kind} ${e.url}`).sort())
      .toEqual([`exporter http://127.0.0.1:${EXPORTER_PORT}`, `llama http://127.0.0.1:${PORT}`]);
    // The exporter watches the server, so its idle figures come from the exporter's stream.
    await expect(page.getByTestId('endpoint-card').getByTestId('relayed-by')).toHaveText(`via 127.0.0.1:${EXPORTER_PORT}`, { timeout: 20_000 });
  } finally {
    await exporter.stop();
    await server.close();
  }
});

test('a page not served from this computer does not offer to look for local servers', async () => {
  // A plain static server: vite preview refuses a Host it does not know.
  const site = await startStaticServer({ dir: resolve(process.env.E2E_DIST ?? 'dist'), prefix: '/', port: PORT + 1 });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...chromiumArgs, '--host-resolver-rules=MAP dashboard.lan 127.0.0.1'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://dashboard.lan:${PORT + 1}/?local=http://127.0.0.1:${PORT}#/dashboard`);
    await expect(dbStatus(page)).toHaveText('In memory only');
    await expect(page.getByRole('heading', { name: 'Point the dashboard at a llama-server' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add endpoint' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Look for a local llama-server' })).toHaveCount(0);
  } finally {
    await browser.close();
    await site.close();
  }
});

test('the empty Models page offers the import dialog and creates a configuration from a sample', async ({ page }) => {
  await openApp(page, 'models');
  await expect(page.getByRole('heading', { name: 'No configurations yet' })).toBeVisible();

  await page.getByRole('button', { name: 'Import your command…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a launch command' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole('button', { name: 'Start from the sample “Small chat model from Hugging Face”' }).click();
  await expect(page.getByLabel('Name')).toHaveValue('Small chat model from Hugging Face');
  await expect(page.getByTestId('config-issues')).toHaveText('No problems found for build b10573.');
  const stored = await dbCall<{ name: string; args: Record<string, unknown>; status: string }[]>(page, 'listModels');
  expect(stored).toMatchObject([{
    name: 'Small chat model from Hugging Face', status: 'stopped',
    args: { '--hf-repo': 'ggml-org/gemma-3-1b-it-GGUF', '--ctx-size': 8192, '--parallel': 2, '--metrics': true },
  }]);

  await page.getByRole('button', { name: 'Close' }).click();
  await page.reload();
  await waitForDb(page);
  await expect(page.getByRole('table', { name: 'Model configurations' })).toContainText('Small chat model from Hugging Face');
});
