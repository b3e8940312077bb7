import { expect, test } from '@playwright/test';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForDb } from './helpers';
import { startStaticServer } from '../fixtures/static-server.mjs';

const dist = process.env.E2E_DIST ?? 'dist-test';

/** Rewrites the build id compiled into the assets of `dir`, as a second deploy of the site would carry. */
function redeploy(dir: string, id: string): string {
  const assets = join(dir, 'assets');
  let old: string | null = null;
  for (const f of readdirSync(assets).filter((n) => n.endsWith('.js'))) {
    const text = readFileSync(join(assets, f), 'utf8');
    const m = /llamadash-build:[0-9A-Za-z.+-]+(?=`|"|')/.exec(text);
    if (!m) continue;
    old = m[0];
    writeFileSync(join(assets, f), text.replaceAll(m[0], `llamadash-build:${id}`));
  }
  if (!old) throw new Error(`no build id found in ${assets}`);
  return old;
}

// Two deploys open side by side: the build id travels in the tabs' protocol, a tab of the other build
// says so (and is not served by the owner), and "Reload every tab" brings every tab to the deployed one.
// The service worker is blocked here so that the second tab really loads the second deploy.
test('tabs of two builds say so, and "Reload every tab" reloads them all onto one', async ({ browser }) => {
  const site = mkdtempSync(join(tmpdir(), 'llama-dash-builds-'));
  cpSync(dist, site, { recursive: true });
  const server = await startStaticServer({ dir: site, prefix: '/' });
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const first = await context.newPage();
    await first.goto(`${server.url}#/dashboard`);
    await waitForDb(first);

    redeploy(site, '9.9.9-second');
    const second = await context.newPage();
    await second.goto(`${server.url}#/settings`);
    const banner = second.getByTestId('build-banner');
    await expect(banner).toContainText('Another tab runs a different version');
    await expect(first.getByTestId('build-banner')).toContainText('9.9.9-second');

    const reloads = Promise.all([first.waitForEvent('load'), second.waitForEvent('load')]);
    await banner.getByRole('button', { name: 'Reload every tab' }).click();
    await reloads;
    await waitForDb(first);
    await waitForDb(second);
    await expect(first.getByTestId('build-banner')).toHaveCount(0);
    await expect(second.getByTestId('build-banner')).toHaveCount(0);
  } finally {
    await context.close();
    await server.close();
    rmSync(site, { recursive: true, force: true });
  }
});
