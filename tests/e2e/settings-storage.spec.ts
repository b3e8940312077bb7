import { expect, test } from '@playwright/test';
import { dbCall, openApp } from './helpers';

test('Settings shows whether storage is kept and its usage, and retention is a setting with its cost', async ({ page }) => {
  await openApp(page, 'settings');
  const storageSection = page.getByRole('region', { name: 'Storage' });
  await expect(storageSection.getByTestId('storage-persisted')).not.toHaveText('Unknown');
  await expect(storageSection.getByTestId('storage-usage')).toHaveText(/\d.* of .*\d/);

  const ep = await dbCall<{ id: number }>(page, 'addEndpoint', { kind: 'llama', name: 'box', url: 'http://127.0.0.1:9', apiKey: null, intervalMs: 1000, enabled: false });
  // Adding the first endpoint is when the app asks the browser to keep its data (once).
  await expect.poll(() => dbCall(page, 'getMeta', 'storage.persistAsked')).toBe(true);
  const now = Date.now();
  await dbCall(page, 'saveFrames', Array.from({ length: 30 }, (_, i) => ({
    endpointId: ep.id, ts: now - (30 - i) * 1000, values: { gen_tps: i, 'llamacpp:prompt_tokens_total': i * 10 },
  })));
  await page.reload();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByRole('row', { name: /box/ })).toContainText('2');
  await history.getByRole('spinbutton', { name: 'Raw samples' }).fill('1');
  await history.getByRole('spinbutton', { name: 'Per-minute history' }).fill('7');
  await history.getByRole('checkbox').check();
  await history.getByRole('spinbutton', { name: 'Size cap in MB' }).fill('200');
  await history.getByRole('button', { name: 'Save and apply' }).click();
  await expect(history.getByRole('status')).toContainText('Saved');
  expect(await dbCall(page, 'getRetention')).toEqual({ rawMs: 3600_000, minuteMs: 7 * 86400_000, hourMs: 400 * 86400_000, maxBytes: 200 * 1024 * 1024 });
  await page.reload();
  await expect(history.getByRole('spinbutton', { name: 'Raw samples' })).toHaveValue('1');
  await expect(history.getByRole('spinbutton', { name: 'Size cap in MB' })).toHaveValue('200');
});
