/** Shared e2e helpers: open the built app, wait for its database, call the worker API from a page. */
import { chromium, expect, type BrowserContext, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromiumArgs } from '../../playwright.config';
import { buildExporter } from '../unit/exporter/harness';

/** The header's database status pill. */
export const dbStatus = (page: Page) => page.getByTestId('db-status');

/** Waits until this tab has the database open (persisted on OPFS). */
export async function waitForDb(page: Page): Promise<void> {
  await expect(dbStatus(page)).toHaveText('Database ready');
}

/** Opens `#/route` (relative to the context's baseURL, or `base` when given) and waits for the database. */
export async function openApp(page: Page, route = 'dashboard', base = ''): Promise<void> {
  await page.goto(`${base}#/${route}`);
  await waitForDb(page);
}

/**
 * Calls a method of the worker API (src/worker/api.ts, reached through the tab's worker session) through the page's test hook
 * (window.__llamaDash, set by src/state/db.svelte.ts) and returns its structured-clone result.
 */
export async function dbCall<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    async ([m, a]) => {
      const hook = (window as unknown as { __llamaDash: { db: Record<string, (...x: unknown[]) => Promise<unknown>> } }).__llamaDash;
      return hook.db[m as string](...(a as unknown[]));
    },
    [method, args] as const,
  ) as Promise<T>;
}

/** A fresh browser profile directory, removed by the returned cleanup. */
export function tempProfile(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'llama-dash-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Debian's Chromium with a real on-disk profile, so OPFS survives closing the browser. */
export function launchProfile(dir: string, baseURL?: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs,
    baseURL,
    acceptDownloads: true,
  });
}

let exporterFile: string | null = null;

/** The exporter the built site offers for download (E2E_DIST's), when the build made it; else a fresh bundle, once per worker. */
export function builtExporter(): string {
  const built = join(process.env.E2E_DIST!, 'exporter', 'llama-dash-exporter.mjs');
  return (exporterFile ??= existsSync(built) ? resolve(built) : buildExporter());
}
