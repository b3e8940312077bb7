import { expect, test } from '@playwright/test';
import { resolve } from 'node:path';
import { dbCall, openApp } from './helpers';
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
    await expect(page.getByTestId('db-status')).toHaveText('Database ready');
    expect(await dbCall(page, 'getMeta', 'e2e.subpath')).toBe('works');
    await page.getByRole('link', { name: 'Models' }).click();
    await expect(page).toHaveURL(`${server.url}#/models`);
  } finally {
    await server.close();
  }
});
