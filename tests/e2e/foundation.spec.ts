import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { dbCall, dbStatus, launchProfile, openApp, tempProfile, waitForDb } from './helpers';
import type { ModelConfig, ModelConfigInput } from '../../src/lib/types';

function model(name: string): ModelConfigInput {
  return {
    name, family: 'qwen', type: 'chat', status: 'draft', notes: 'e2e',
    args: { '--ctx-size': 8192, '--flash-attn': 'on' }, extraArgs: [], catalogueId: null, endpointId: null, routerModel: null,
  };
}

const modelNames = async (page: import('@playwright/test').Page) =>
  (await dbCall<ModelConfig[]>(page, 'listModels')).map((m) => m.name).sort();

test('a theme choice and a model configuration survive a reload and a browser restart', async ({ baseURL }) => {
  const profile = tempProfile();
  try {
    let context = await launchProfile(profile.dir, baseURL);
    let page = await context.newPage();
    await openApp(page, 'settings');
    await page.getByLabel('Theme').first().selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await dbCall(page, 'createModel', model('kept-across-restarts'));

    await page.reload();
    await waitForDb(page);
    expect(await modelNames(page)).toEqual(['kept-across-restarts']);
    expect(await dbCall(page, 'getMeta', 'ui.theme')).toBe('dark');

    await context.close();
    context = await launchProfile(profile.dir, baseURL);
    page = await context.newPage();
    // localStorage only mirrors the theme for the first paint: clear it so the database must answer.
    await page.goto('#/settings');
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await waitForDb(page);
    expect(await modelNames(page)).toEqual(['kept-across-restarts']);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(page.getByLabel('Theme').first()).toHaveValue('dark');
    await context.close();
  } finally {
    profile.remove();
  }
});

test('a second tab is ready at once with the data of the first, and keeps it when the first closes', async ({ context }) => {
  const tab1 = await context.newPage();
  await openApp(tab1);
  await dbCall(tab1, 'setMeta', 'e2e.marker', 'written in tab 1');
  await dbCall(tab1, 'createModel', model('from-tab-1'));

  const tab2 = await context.newPage();
  await openApp(tab2);
  await expect(tab2.getByTestId('db-banner')).toHaveCount(0);
  expect(await dbCall(tab2, 'getMeta', 'e2e.marker')).toBe('written in tab 1');
  expect(await modelNames(tab2)).toEqual(['from-tab-1']);
  await dbCall(tab2, 'setMeta', 'e2e.marker', 'written in tab 2');
  expect(await dbCall(tab1, 'getMeta', 'e2e.marker')).toBe('written in tab 2');

  await tab1.close();
  await waitForDb(tab2);
  expect(await dbCall(tab2, 'getMeta', 'e2e.marker')).toBe('written in tab 2');
  await dbCall(tab2, 'createModel', model('after-hand-over'));
  expect(await modelNames(tab2)).toEqual(['after-hand-over', 'from-tab-1']);
});

test('Export then Import restores the exported data', async ({ page }, testInfo) => {
  await openApp(page, 'settings');
  await dbCall(page, 'createModel', model('in-the-backup'));
  await dbCall(page, 'setMeta', 'e2e.marker', 'before export');
  await dbCall(page, 'addEndpoint', { kind: 'llama', name: 'keyed box', url: 'http://127.0.0.1:9', apiKey: 'sk-e2e-secret-31337', intervalMs: 60_000, enabled: false });

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export database' }).click();
  const exportDialog = page.getByRole('dialog', { name: 'Export the database' });
  await expect(exportDialog.getByRole('checkbox', { name: 'Include API keys and secret arguments' })).not.toBeChecked();
  await exportDialog.getByRole('button', { name: 'Export', exact: true }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^llama-dashboard-\d{4}-\d{2}-\d{2}\.sqlite3$/);
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  expect(readFileSync(file).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
  expect(readFileSync(file).includes('sk-e2e-secret-31337')).toBe(false);

  await dbCall(page, 'deleteAllModels');
  await dbCall(page, 'createModel', model('made-after-export'));
  await dbCall(page, 'setMeta', 'e2e.marker', 'after export');

  await page.getByTestId('import-file').setInputFiles(file);
  const dialog = page.getByRole('dialog', { name: 'Replace the whole database?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Replace' }).click();
  await expect(page.getByText(/^Imported llama-dashboard-/)).toBeVisible();
  await expect(page.getByTestId('import-report')).toContainText('These endpoints need their API key again (the file was exported without it): keyed box.');
  expect(await modelNames(page)).toEqual(['in-the-backup']);
  expect(await dbCall(page, 'getMeta', 'e2e.marker')).toBe('before export');
  expect((await dbCall<{ journalMode: string }>(page, 'dbInfo')).journalMode).toBe('wal');
});

test('a file that is not a SQLite database is refused with the reason, and nothing changes', async ({ page }) => {
  await openApp(page, 'settings');
  await dbCall(page, 'createModel', model('still-here'));

  await page.getByTestId('import-file').setInputFiles({
    name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('these are my notes, not a database\n'.repeat(50)),
  });
  await page.getByRole('dialog').getByRole('button', { name: 'Replace' }).click();
  const refusal = page.getByTestId('import-refusal');
  await expect(refusal).toContainText('notes.txt was not imported:');
  await expect(refusal).toContainText(/SQLite/i);
  await expect(refusal).toContainText('Your current data is unchanged.');
  expect(await modelNames(page)).toEqual(['still-here']);
});

test('cancelling the import confirmation keeps the current data', async ({ page }) => {
  await openApp(page, 'settings');
  await dbCall(page, 'createModel', model('not-replaced'));
  await page.getByTestId('import-file').setInputFiles({ name: 'x.sqlite3', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4096) });
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();
  expect(await modelNames(page)).toEqual(['not-replaced']);
});

test('Clear metrics (after a confirmation) drops history but keeps endpoints; Vacuum reports the new size', async ({ page }) => {
  await openApp(page, 'settings');
  const ep = await dbCall<{ id: number }>(page, 'addEndpoint', {
    kind: 'llama', name: 'gone-quiet', url: 'http://127.0.0.1:9', apiKey: null, intervalMs: 1000, enabled: false,
  });
  const t0 = Date.now() - 60_000;
  await dbCall(page, 'saveFrames', Array.from({ length: 50 }, (_, i) => ({ endpointId: ep.id, ts: t0 + i * 1000, values: { gen_tps: i } })));
  await page.getByRole('button', { name: 'Vacuum' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText(/^Vacuum done:/)).toBeVisible();

  await page.getByRole('button', { name: 'Clear metrics…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete all metrics history?' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Delete metrics' }).click();
  await expect(page.getByText('All metrics history was deleted.')).toBeVisible();
  expect(await dbCall(page, 'latest', ep.id)).toBeNull();
  expect(await dbCall<unknown[]>(page, 'listEndpoints')).toHaveLength(1);
});
