import { expect, test } from '@playwright/test';
import { dbCall, openApp, waitForDb } from './helpers';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';

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

// Requests to the user's servers need not wake the service worker: the page's requests to another origin
// go straight to the network by the worker's static routes (public/sw-routes.js), while the app's own
// files still come through it.
test('requests to the servers bypass the service worker, the app\'s own files do not', async ({ page }) => {
  const server = await startStandIn({ port: 18241, traffic: 'idle', slots: 1 });
  try {
    await openApp(page, 'models');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await waitForDb(page);
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    const routes = await page.evaluate(async (url) => {
      // An entry is written once the body has been read.
      await (await fetch(`${url}/health`)).text();
      await (await fetch('./favicon.svg', { cache: 'no-store' })).text();
      // Which static route a request matched: 'network' for ours, '' when none did (the fetch event ran).
      const route = (name: string) => {
        const e = performance.getEntriesByType('resource').filter((r) => r.name.endsWith(name)).at(-1);
        return e ? (e as PerformanceResourceTiming & { workerMatchedSourceType: string }).workerMatchedSourceType : 'no entry';
      };
      return { server: route('/health'), own: route('/favicon.svg') };
    }, server.url);
    expect(routes).toEqual({ server: 'network', own: '' });
  } finally {
    await server.close();
  }
});
