import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import type { ModelConfig, ModelConfigInput } from '../../src/lib/types';
import { dbCall, openApp, waitForDb } from './helpers';

// Ports 4270-4279 belong to this spec (stand-in llama-servers).
const PORT = 4270;

async function param(page: Page, key: string) {
  await page.getByLabel('Find a parameter').fill(key);
  return page.getByLabel(key, { exact: true });
}

function config(name: string, extra: Partial<ModelConfigInput> = {}): ModelConfigInput {
  return {
    name, family: 'qwen', type: 'chat', status: 'stopped', notes: '',
    args: { '--model': `/models/${name}.gguf`, '--ctx-size': 8192, '--flash-attn': 'on', '--port': 8080 },
    extraArgs: [], catalogueId: null, endpointId: null, routerModel: null, ...extra,
  };
}

test('a pasted --help of an older build flags what it does not take, with the fix', async ({ page }) => {
  // An older build where -fa was a plain switch: today's "--flash-attn on" needs to become "--flash-attn".
  const help = readFileSync('tests/fixtures/llama-server/help.txt', 'utf8').replace(
    /^-fa, +--flash-attn \[on\|off\|auto\] +.*$/m,
    '-fa,   --flash-attn                     enable Flash Attention (default: disabled)',
  );
  await openApp(page, 'models');
  await dbCall(page, 'createModel', config('qwen-fa'));
  await page.getByRole('button', { name: 'Builds' }).click();
  await page.getByLabel('Build label').fill('b4000');
  await page.getByLabel(/Output of/).fill(help);
  await page.getByRole('button', { name: 'Read and store this build' }).click();
  await expect(page.getByRole('status')).toContainText('Stored build b4000 with');

  await page.getByRole('button', { name: 'Configurations' }).click();
  await page.getByRole('button', { name: 'qwen-fa', exact: true }).click();
  await page.getByLabel('llama-server build').selectOption({ label: 'b4000 (pasted help)' });
  const checks = page.getByTestId('config-issues');
  await expect(checks).toContainText('--flash-attn: takes no value in this build');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved as a draft: 1 error left.' })).toBeVisible();
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('row', { name: /qwen-fa/ })).toContainText('1 error');
  await page.getByRole('button', { name: 'qwen-fa', exact: true }).click();
  await checks.getByRole('button', { name: 'Fix: use plain --flash-attn' }).click();
  await expect(checks).toHaveText('No problems found for build b4000.');
  await page.getByRole('button', { name: 'Export…' }).click();
  await expect(page.getByTestId('export-text')).toHaveValue(/--flash-attn(?! on)/);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await page.reload();
  await waitForDb(page);
  // The editor lives in the URL, so the reload reopens it; the list is one Close away.
  await expect(page.getByLabel('Name')).toHaveValue('qwen-fa');
  await page.getByRole('button', { name: 'Close' }).click();
  const row = page.getByRole('row', { name: /qwen-fa/ });
  await expect(row).toContainText('b4000');
  await expect(row).toContainText('ok');
});

test('a configuration linked to a llama-server shows its status live', async ({ page }) => {
  const server = await startStandIn({ port: PORT, traffic: 'idle' });
  try {
    await openApp(page, 'models');
    const ep = await dbCall<{ id: number }>(page, 'addEndpoint', {
      kind: 'llama', name: 'local', url: server.url, apiKey: null, intervalMs: 500, enabled: true,
    });
    const m = await dbCall<ModelConfig>(page, 'createModel', config('linked'));
    await page.getByRole('button', { name: 'Edit linked' }).click();
    await page.getByLabel('Endpoint').selectOption({ label: `local (${server.url})` });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'Close' }).click();
    const badge = page.getByRole('row', { name: /linked/ }).getByTestId('model-status');
    await expect(badge).toHaveText(/running/);
    server.control({ mode: 'loading' });
    await expect(badge).toHaveText(/loading/);
    await page.getByLabel('Status').selectOption('loading');
    await expect(page.getByTestId('model-count')).toHaveText('1 of 1');
    expect((await dbCall<ModelConfig>(page, 'getModel', m.id)).endpointId).toBe(ep.id);
  } finally {
    await server.close();
  }
});

test('every export format writes text, and router preset and llama-swap entries import', async ({ page }) => {
  await openApp(page, 'models');
  await dbCall(page, 'createModel', config('all-formats'));
  await page.getByRole('button', { name: 'Edit all-formats' }).click();
  await page.getByRole('button', { name: 'Export…' }).click();
  const select = page.getByLabel('Export format');
  const labels = await select.locator('option').allTextContents();
  expect(labels.length).toBe(10);
  for (const label of labels) {
    await select.selectOption({ label });
    await expect(page.getByText('Cannot write this format')).toHaveCount(0);
    expect(await page.getByTestId('export-text').inputValue(), label).toContain('all-formats.gguf');
  }
  await page.getByRole('button', { name: 'Close' }).click();

  const inputs = {
    ini: 'version = 1\n\n[gemma-ini]\nmodel = /models/gemma.gguf\nctx-size = 4096\nLLAMA_ARG_N_GPU_LAYERS = 20\n',
    swap: 'models:\n  swap-qwen:\n    cmd: |\n      llama-server --port ${PORT} -m /models/qwen.gguf -c 16384\n',
  };
  for (const [text, name, ctx] of [[inputs.ini, 'gemma-ini', '4096'], [inputs.swap, 'swap-qwen', '16384']]) {
    await page.getByRole('button', { name: 'Import a command…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a launch command' });
    await dialog.getByLabel(/Paste the command/).fill(text);
    await expect(dialog.getByRole('table', { name: 'Understood arguments' }).getByRole('row', { name: new RegExp(`--ctx-size ${ctx}`) })).toBeVisible();
    await expect(dialog.getByLabel('Name for a new configuration')).toHaveValue(name);
    await dialog.getByRole('button', { name: 'Save as new configuration' }).click();
    await expect(page.getByRole('heading', { name: `Edit ${name}` })).toBeVisible();
    await page.getByRole('button', { name: 'Close' }).click();
  }
  expect((await dbCall<ModelConfig>(page, 'getModelByName', 'gemma-ini')).args['--gpu-layers']).toBe(20);
});

test('listing 100 configurations and saving one stay quick', async ({ page }) => {
  await openApp(page, 'settings');
  for (let i = 0; i < 100; i++) await dbCall(page, 'createModel', config(`model-${String(i).padStart(3, '0')}`));
  const api = await page.evaluate(async () => {
    const hook = (window as unknown as { __llamaDash: { db: { listModels(): Promise<unknown[]> } } }).__llamaDash;
    const t0 = performance.now();
    const list = await hook.db.listModels();
    return { ms: performance.now() - t0, n: list.length };
  });
  expect(api.n).toBe(100);
  const t0 = Date.now();
  await page.getByRole('link', { name: 'Models' }).click();
  await expect(page.getByRole('table', { name: 'Model configurations' }).locator('tbody tr')).toHaveCount(100);
  const listMs = Date.now() - t0;

  await page.getByRole('button', { name: 'model-050', exact: true }).click();
  await (await param(page, '--ctx-size')).fill('16384');
  const t1 = Date.now();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const saveMs = Date.now() - t1;
  await page.getByLabel('Find a parameter').fill('');
  // Topics holding a set value are open already; opening one more shows its 46 fields besides them.
  const fields = page.locator('[data-testid^="param-"]');
  await expect(page.getByRole('button', { name: /^Speculative decoding \(46/ })).toHaveAttribute('aria-expanded', 'false');
  const before = await fields.count();
  const t2 = Date.now();
  await page.getByRole('button', { name: /^Speculative decoding \(46/ }).click();
  await expect(fields).toHaveCount(before + 46);
  const groupMs = Date.now() - t2;
  console.log(`[measure] listModels over Comlink: ${api.ms.toFixed(1)} ms; Models page with 100 rows: ${listMs} ms; save one: ${saveMs} ms; open the Speculative decoding topic (46 fields): ${groupMs} ms`);
  expect(listMs).toBeLessThan(5000);
  expect(saveMs).toBeLessThan(2000);
});
