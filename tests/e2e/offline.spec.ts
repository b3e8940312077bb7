import { expect, test } from '@playwright/test';
import { dbCall, openApp, waitForDb } from './helpers';

// The PWA promise: once loaded, the dashboard opens with no network at all (service worker
// precache, sqlite3.wasm included) and its data is still there.
test('after one visit the app opens offline, database included', async ({ page, context }) => {
  await openApp(page, 'models');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await dbCall(page, 'setMeta', 'offline.probe', { kept: true });
  // The first visit is not yet controlled by the service worker; a reload is.
  await page.reload();
  await waitForDb(page);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  await context.setOffline(true);
  await page.reload();
  await waitForDb(page);
  await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();
  expect(await dbCall(page, 'getMeta', 'offline.probe')).toEqual({ kept: true });
  await page.goto('./#/settings');
  await expect(page.getByRole('heading', { name: 'Database' })).toBeVisible();
});
