// Takes the README's screenshots from the built app (dist/, `npx vite build`) with the simulated server:
//   node scripts/screenshots.mjs [seconds of simulation before the shots, default 90]
// Writes docs/dashboard.png, docs/first-*.png (the router's models among them) and docs/dashboard-dark.png. Chromium: /usr/bin/chromium
// (CHROMIUM_PATH overrides). Uses a fresh profile, so it never touches a browser's own data.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PORT = Number(process.env.PORT ?? 4391);
const WAIT_S = Number(process.argv[2] ?? 90);
const base = `http://127.0.0.1:${PORT}/`;
const viewport = { width: 1400, height: 1000 };

// vite itself, not npx: killing npx would leave the server running.
const preview = spawn('node_modules/.bin/vite', ['preview', '--outDir', 'dist', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore' });
const profile = mkdtempSync(join(tmpdir(), 'llama-dash-shots-'));

async function reachable() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vite preview did not answer at ${base}`);
}

try {
  await reachable();
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
    viewport,
    colorScheme: 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${base}#/dashboard`);
  await page.getByTestId('db-status').filter({ hasText: 'Database ready' }).waitFor();
  await page.screenshot({ path: 'docs/first-1-empty.png' });

  await page.getByRole('button', { name: 'Try with a simulated server' }).click();
  await page.getByTestId('sim-banner').waitFor();
  await page.waitForTimeout(WAIT_S * 1000);
  await page.screenshot({ path: 'docs/dashboard.png' });
  const router = page.getByRole('region', { name: 'Router models' });
  await router.locator('[data-state="unloaded"]').last().getByRole('button', { name: 'Load' }).click();
  await router.locator('[data-state="loading"]').first().waitFor();
  await router.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/first-2-router.png' });
  await page.getByTestId('exporter-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/first-2-gpu.png' });

  await page.goto(`${base}#/requests`);
  await page.getByTestId('request-row').first().waitFor();
  await page.screenshot({ path: 'docs/first-3-requests.png' });

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${base}#/dashboard`);
  await page.getByTestId('endpoint-card').first().waitFor();
  await page.waitForTimeout(2000);
  await page.screenshot({ path: 'docs/dashboard-dark.png' });

  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('button', { name: 'Stop the simulation' }).click();
  await page.getByTestId('sim-banner').waitFor({ state: 'detached' });
  await context.close();
} finally {
  preview.kill();
  rmSync(profile, { recursive: true, force: true });
}
