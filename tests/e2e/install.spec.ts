import { expect, test } from '@playwright/test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchProfile, tempProfile, waitForDb } from './helpers';
import { startStaticServer } from '../fixtures/static-server.mjs';

const dist = process.env.E2E_DIST ?? 'dist';

// A real profile: Chromium never offers to install from an incognito-like context.
test('Chromium finds the app installable (manifest, PNG icons, service worker)', async ({ baseURL }) => {
  const profile = tempProfile();
  const context = await launchProfile(profile.dir, baseURL);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('./#/dashboard');
    await waitForDb(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    const manifest = await (await page.request.get('./manifest.webmanifest')).json();
    const pngs = manifest.icons.filter((i: { type: string }) => i.type === 'image/png');
    expect(pngs.map((i: { sizes: string; purpose: string }) => `${i.sizes} ${i.purpose}`).sort())
      .toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
  } finally {
    await context.close();
    profile.remove();
  }
});

// Two deploys of the same site: the second changes the page and its service worker. The open page is
// told and keeps running the old version until the user chooses Reload.
test('a newly deployed version is announced, not applied, until the user reloads', async ({ page }) => {
  const site = mkdtempSync(join(tmpdir(), 'llama-dash-deploy-'));
  cpSync(dist, site, { recursive: true });
  const server = await startStaticServer({ dir: site, prefix: '/' });
  try {
    await page.goto(server.url);
    await waitForDb(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await waitForDb(page);
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    await expect(page.getByTestId('update-banner')).toHaveCount(0);

    // The second deploy: a changed index.html and, with it, a changed precache list in sw.js.
    const html = readFileSync(join(site, 'index.html'), 'utf8');
    writeFileSync(join(site, 'index.html'), html.replace('<title>', '<meta name="deploy" content="second" /><title>'));
    const sw = readFileSync(join(site, 'sw.js'), 'utf8');
    const next = sw.replace(/(url:"index\.html",revision:")[^"]*"/, '$1second-deploy"');
    expect(next).not.toBe(sw);
    writeFileSync(join(site, 'sw.js'), next);

    await page.evaluate(() => { (window as unknown as { stillHere: boolean }).stillHere = true; });
    await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
    const banner = page.getByTestId('update-banner');
    await expect(banner).toContainText('A new version is ready');
    // Announced, not applied: this page is the same document, still on the first deploy.
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(await page.locator('meta[name="deploy"]').count()).toBe(0);

    await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
    await waitForDb(page);
    await expect(page.locator('meta[name="deploy"]')).toHaveAttribute('content', 'second');
    await expect(page.getByTestId('update-banner')).toHaveCount(0);
  } finally {
    await server.close();
    rmSync(site, { recursive: true, force: true });
  }
});
