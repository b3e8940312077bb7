import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { dbCall, openApp } from './helpers';

test('Settings → Data runs read-only SQL: rows paged, writes refused, a runaway query stopped, CSV out', async ({ page }) => {
  await openApp(page, 'settings');
  for (let i = 0; i < 120; i++) await dbCall(page, 'setMeta', `probe.${String(i).padStart(3, '0')}`, i);
  const data = page.getByRole('region', { name: 'Data' });
  const query = data.getByRole('textbox', { name: /Query/ });

  await query.fill("SELECT key, value FROM metadata WHERE key LIKE 'probe.%' ORDER BY key");
  await query.press('Control+Enter');
  await expect(data.getByText('Rows 1–100 (more follow)')).toBeVisible();
  await expect(data.getByRole('cell', { name: 'probe.000' })).toBeVisible();
  await data.getByRole('button', { name: 'Next page' }).click();
  await expect(data.getByText(/^Rows 101–120,/)).toBeVisible();
  await expect(data.getByRole('cell', { name: 'probe.119' })).toBeVisible();

  const [file] = await Promise.all([page.waitForEvent('download'), data.getByRole('button', { name: 'Download CSV' }).click()]);
  const lines = readFileSync(await file.path(), 'utf8').trimEnd().split('\r\n');
  expect(lines[0]).toBe('key,value');
  expect(lines).toHaveLength(121);

  await query.fill("DELETE FROM metadata WHERE key LIKE 'probe.%'");
  await data.getByRole('button', { name: 'Run' }).click();
  await expect(data.getByRole('alert')).toContainText('only reads');
  await query.fill('PRAGMA user_version = 0');
  await data.getByRole('button', { name: 'Run' }).click();
  await expect(data.getByRole('alert')).toContainText('PRAGMA that sets a value');
  expect(await dbCall(page, 'getMeta', 'probe.042')).toBe(42);

  await data.getByRole('spinbutton', { name: /Time limit/ }).fill('0.5');
  await data.getByRole('spinbutton', { name: /Time limit/ }).blur();
  await query.fill('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c');
  await data.getByRole('button', { name: 'Run' }).click();
  await expect(data.getByRole('alert')).toContainText('stopped after 0.5 s');
  // The worker is free again: the app's own reads and writes go on.
  await dbCall(page, 'setMeta', 'probe.after', true);
  expect(await dbCall(page, 'getMeta', 'probe.after')).toBe(true);
});
