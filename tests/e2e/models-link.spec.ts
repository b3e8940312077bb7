import { expect, test } from '@playwright/test';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import type { ModelConfigInput } from '../../src/lib/types';
import { dbCall, openApp } from './helpers';

// Ports 4275-4279 belong to this spec (stand-in routers).
const PORT = 4275;

function config(name: string, args: ModelConfigInput['args']): ModelConfigInput {
  return {
    name, family: '', type: 'chat', status: 'stopped', notes: '', args, extraArgs: [],
    catalogueId: null, endpointId: null, routerModel: null,
  };
}

test('a configuration linked to a router model follows that model from unloaded to loaded', async ({ page }) => {
  test.setTimeout(90_000);
  const server = await startStandIn({ port: PORT, router: true, traffic: 'idle', loadMs: 500 });
  try {
    await openApp(page, 'models');
    const ep = await dbCall<{ id: number }>(page, 'addEndpoint', {
      kind: 'llama', name: 'router', url: server.url, apiKey: null, intervalMs: 500, enabled: true,
    });
    await dbCall(page, 'createModel', config('tiny via router', { '--model': '/models/tiny.gguf' }));
    await page.getByRole('button', { name: 'Edit tiny via router' }).click();
    await page.getByLabel('Endpoint').selectOption({ label: `router (${server.url})` });
    await page.getByLabel('Model in the router').selectOption('tiny');
    await expect(page.getByRole('group', { name: 'Linked endpoint' }).getByTestId('model-status')).toHaveText(/stopped/);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'Close' }).click();

    const row = page.getByRole('row', { name: /tiny via router/ });
    await expect(row).toContainText('router › tiny');
    await dbCall(page, 'loadModel', ep.id, 'tiny');
    await expect(row.getByTestId('model-status')).toHaveText(/running/, { timeout: 20_000 });
  } finally {
    await server.close();
  }
});

test('compare shows what differs, with defaults filled in', async ({ page }) => {
  await openApp(page, 'models');
  await dbCall(page, 'createModel', config('left', { '--model': '/m/a.gguf', '--ctx-size': 4096, '--port': 8080 }));
  await dbCall(page, 'createModel', config('right', { '--model': '/m/a.gguf', '--ctx-size': 8192, '--threads': 8 }));
  await page.getByRole('button', { name: 'Compare' }).click();
  await page.getByLabel('Left', { exact: true }).selectOption({ label: 'left' });
  await page.getByLabel('Right', { exact: true }).selectOption({ label: 'right' });
  const table = page.getByRole('table', { name: 'Differences' });
  // --port 8080 on the left is llama-server's default, so it is no difference.
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.getByRole('row', { name: '--ctx-size 4096 8192' })).toBeVisible();
  await expect(table.getByRole('row', { name: '--port 8080 8080' })).toHaveCount(0);
  await expect(table.getByRole('row', { name: '--threads -1 8' })).toBeVisible();
});

test('an import replaces the parameters of the configuration being edited, all by keyboard', async ({ page }) => {
  await openApp(page, 'models');
  await dbCall(page, 'createModel', config('target', { '--model': '/m/old.gguf', '--ctx-size': 2048 }));
  await page.getByRole('button', { name: 'Edit target' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Import a command…' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Import a launch command' });
  await dialog.getByLabel(/Paste the command/).focus();
  await page.keyboard.insertText('llama-server.exe -m C:\\models\\new.gguf `\n  -c 32768 --jinja');
  await expect(dialog.getByRole('table', { name: 'Understood arguments' }).getByRole('row', { name: /--ctx-size 32768/ })).toBeVisible();
  await dialog.getByRole('button', { name: "Replace the edited configuration's parameters" }).focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();

  await page.getByLabel('Only parameters that are set').check();
  await expect(page.getByLabel('--model', { exact: true })).toHaveValue('C:\\models\\new.gguf');
  await expect(page.getByLabel('--ctx-size', { exact: true })).toHaveValue('32768');
  await expect(page.getByLabel('--jinja', { exact: true })).toHaveValue('on');
  await expect(page.getByRole('status').filter({ hasText: 'Unsaved changes.' })).toBeVisible();

  // Leaving with unsaved changes asks first; Escape keeps the editor open.
  await page.getByRole('button', { name: 'Close' }).click();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('heading', { name: 'Edit target' })).toBeVisible();
  await page.getByLabel('--ctx-size', { exact: true }).press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  expect((await dbCall<{ args: Record<string, unknown> }>(page, 'getModelByName', 'target')).args['--ctx-size']).toBe(32768);
});
