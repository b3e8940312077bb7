import { chromium, expect, test } from '@playwright/test';
import { resolve } from 'node:path';
import { chromiumArgs } from '../../playwright.config';
import { dbCall, dbStatus, openApp } from './helpers';
import { startStaticServer } from '../fixtures/static-server.mjs';

const dist = resolve(process.env.E2E_DIST ?? 'dist');
const port = Number(process.env.E2E_PORT ?? 4173) + 1;

test('the built dist/ works under a sub-path of a plain static server (no SPA fallback, no special headers)', async ({ page }) => {
  const server = await startStaticServer({ dir: dist, prefix: '/some/sub/path/', port });
  try {
    await openApp(page, 'settings', server.url);
    await expect(page.getByRole('heading', { name: 'Database' })).toBeVisible();
    await expect(page.getByTestId('db-tables')).toContainText('models');
    await dbCall(page, 'setMeta', 'e2e.subpath', 'works');
    await page.reload();
    await expect(dbStatus(page)).toHaveText('Database ready');
    expect(await dbCall(page, 'getMeta', 'e2e.subpath')).toBe('works');
    await page.getByRole('link', { name: 'Models' }).click();
    await expect(page).toHaveURL(`${server.url}#/models`);
  } finally {
    await server.close();
  }
});

test('where the browser gives no OPFS (plain http on a LAN name) the app runs in memory and says so', async () => {
  const server = await startStaticServer({ dir: dist, prefix: '/', port });
  // A name that is not localhost makes an insecure context, which hides OPFS and Web Locks.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...chromiumArgs, '--host-resolver-rules=MAP dashboard.lan 127.0.0.1'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://dashboard.lan:${port}/#/settings`);
    await expect(dbStatus(page)).toHaveText('In memory only');
    await expect(page.getByTestId('db-banner')).toContainText('nothing you do here is saved');
    await expect(page.getByTestId('db-banner')).toContainText('only to pages on https:// or http://localhost');
    await expect(page.getByText('In memory only: everything is lost when this tab closes.')).toBeVisible();
    await dbCall(page, 'setMeta', 'e2e.memory', 'still usable');
    expect(await dbCall(page, 'getMeta', 'e2e.memory')).toBe('still usable');
  } finally {
    await browser.close();
    await server.close();
  }
});
