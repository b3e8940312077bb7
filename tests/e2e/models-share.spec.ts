import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import type { ModelConfig, ModelConfigInput } from '../../src/lib/types';
import { dbCall, openApp, waitForDb } from './helpers';

function config(name: string, args: ModelConfigInput['args']): ModelConfigInput {
  return {
    name, family: 'qwen', type: 'chat', status: 'stopped', notes: `notes of ${name}`,
    args: { '--model': `/models/${name}.gguf`, '--ctx-size': 8192, '--flash-attn': 'on', ...args },
    extraArgs: ['--future-flag', '1'], catalogueId: null, endpointId: null, routerModel: null,
  };
}

async function seed(page: Page, ...configs: ModelConfigInput[]) {
  await openApp(page, 'models');
  for (const c of configs) await dbCall(page, 'createModel', c);
  await page.reload();
  await waitForDb(page);
  await expect(page.getByRole('table', { name: 'Model configurations' }).locator('tbody tr')).toHaveCount(configs.length);
}

test('configurations go out as JSON without their secrets and come back in another browser with a name conflict resolved', async ({ page, browser }) => {
  await seed(page, config('qwen', { '--api-key': 'sk-do-not-share' }), config('gemma', {}));

  // One configuration from its row, keyboard only; secrets stay out until asked for.
  await page.getByRole('button', { name: 'Export qwen as JSON' }).focus();
  await page.keyboard.press('Enter');
  const exp = page.getByRole('dialog', { name: 'Export configurations as JSON' });
  await expect(exp.getByTestId('json-left-out')).toHaveText('Left out as secret: qwen: --api-key');
  expect(await exp.getByTestId('json-export-text').inputValue()).not.toContain('sk-do-not-share');
  await exp.getByLabel('Include secret arguments').check();
  await expect(exp.getByTestId('json-export-text')).toHaveValue(/sk-do-not-share/);
  await exp.getByLabel('Include secret arguments').uncheck();
  await exp.getByLabel('gemma').check();
  const download = page.waitForEvent('download');
  await exp.getByRole('button', { name: 'Download configurations.json' }).click();
  const file = await (await download).path();
  const text = readFileSync(file, 'utf8');
  expect(JSON.parse(text)).toMatchObject({ format: 'llama-dashboard-configurations', build: 'b10573' });
  await exp.getByRole('button', { name: 'Close' }).click();

  // Another browser profile, which already has a "gemma".
  const other = await browser.newContext();
  const there = await other.newPage();
  await seed(there, config('gemma', { '--ctx-size': 4096 }));
  await there.getByRole('button', { name: 'Import JSON…' }).click();
  const imp = there.getByRole('dialog', { name: 'Import configurations from JSON' });
  await imp.getByLabel('or paste it').fill('{"format": "something else"}');
  await expect(imp.getByRole('alert')).toContainText('not a configurations file of this app');
  await imp.getByLabel('or paste it').fill('');
  await imp.getByLabel('Choose a file').setInputFiles(file);
  const rows = imp.getByRole('table', { name: 'Configurations found' }).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(imp.getByTestId('json-build')).toContainText('b10573');
  await imp.getByLabel('When gemma exists').selectOption({ label: 'Replace the stored one' });
  await imp.getByRole('button', { name: 'Import 2 configurations' }).click();
  await expect(imp).toBeHidden();
  await expect(there.getByRole('table', { name: 'Model configurations' }).locator('tbody tr')).toHaveCount(2);
  const gemma = await dbCall<ModelConfig>(there, 'getModelByName', 'gemma');
  expect(gemma.args).toMatchObject({ '--ctx-size': 8192, '--model': '/models/gemma.gguf' });
  const qwen = await dbCall<ModelConfig>(there, 'getModelByName', 'qwen');
  expect(qwen).toMatchObject({ notes: 'notes of qwen', extraArgs: ['--future-flag', '1'] });
  expect(qwen.args['--api-key']).toBeUndefined();
  await other.close();
});

test('unsaved edits are asked about before Back, a link or closing the tab, and kept when the user stays', async ({ page }) => {
  await seed(page, config('qwen', {}));
  await page.getByRole('button', { name: 'Edit qwen' }).click();
  await expect(page).toHaveURL(/#\/models\/\d+$/);
  const editing = page.url();
  await page.getByLabel('Notes').fill('changed, not saved');

  const ask = page.getByRole('dialog', { name: 'Discard the changes?' });
  await page.goBack();
  await expect(ask).toBeVisible();
  await expect(page).toHaveURL(editing);
  await page.keyboard.press('Escape');
  await expect(page.getByLabel('Notes')).toHaveValue('changed, not saved');

  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expect(ask).toBeVisible();
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(page).toHaveURL(editing);
  await expect(page.getByLabel('Notes')).toHaveValue('changed, not saved');

  // A closing tab gets the browser's own question only while something is unsaved.
  const unload = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const question = await unload;
  expect(question.type()).toBe('beforeunload');
  await question.dismiss();
  await expect(page.getByLabel('Notes')).toHaveValue('changed, not saved');

  await page.getByRole('button', { name: 'Close' }).click();
  await ask.getByRole('button', { name: 'Discard' }).click();
  await expect(page.getByRole('table', { name: 'Model configurations' })).toBeVisible();
  expect((await dbCall<ModelConfig>(page, 'getModelByName', 'qwen')).notes).toBe('notes of qwen');

  // Saved edits leave without a question, and Back after saving a new one goes to the list.
  await page.getByRole('button', { name: 'New configuration' }).click();
  await page.getByLabel('Name').fill('fresh');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Saved/ })).toBeVisible();
  await expect(page).toHaveURL(/#\/models\/\d+$/);
  await page.goBack();
  await expect(page.getByRole('table', { name: 'Model configurations' })).toBeVisible();
  await expect(ask).toBeHidden();
  await expect(page).toHaveURL(/#\/models$/);
});

test('a llama-swap export puts the program and flags every model shares into one macro', async ({ page }) => {
  await seed(page, config('qwen', { '--temp': 0.7 }), config('gemma', { '--temp': 0.2 }));
  await page.getByRole('button', { name: 'Export several…' }).click();
  const exp = page.getByRole('dialog', { name: 'Export several configurations as one file' });
  await exp.getByLabel('qwen').check();
  await exp.getByLabel('gemma').check();
  const text = await exp.getByTestId('setup-export-text').inputValue();
  expect(text).toMatch(/macros:\n\s+shared_flags: llama-server --ctx-size 8192 --flash-attn on --future-flag 1\n/);
  expect(text.match(/\$\{shared_flags\}/g)).toHaveLength(2);

  // The file reads back through the import dialog as the same two configurations.
  await exp.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Import a command…' }).click();
  const imp = page.getByRole('dialog', { name: 'Import a launch command' });
  await imp.getByLabel(/Paste the command/).fill(text);
  const found = imp.getByRole('table', { name: 'Models found' }).locator('tbody tr');
  await expect(found).toHaveCount(2);
  const qwen = found.filter({ hasText: '/models/qwen.gguf' });
  await expect(qwen).toContainText('--ctx-size 8192 --flash-attn on --model /models/qwen.gguf --temp 0.7');
  await expect(qwen).toContainText('Kept as extra arguments: --future-flag 1');
});
