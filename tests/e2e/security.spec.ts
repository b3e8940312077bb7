import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Endpoint } from '../../src/lib/types';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { startStaticServer } from '../fixtures/static-server.mjs';
import { startExporter, type Running } from '../unit/exporter/harness';
import { builtExporter, dbCall, dbStatus, waitForDb } from './helpers';

// What the page lets in and sends out. Ports 18290-18299 belong to this spec.
const STAND_IN = 18290;
const EXPORTER = 18299;
const HOOK = '__llamaDash';

/** Every .js file under `dir`, recursively. */
function scripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.js'))
    .map((d) => path.join(d.parentPath, d.name));
}

test('the default build (dist/) ships no test hook and carries the Content-Security-Policy', () => {
  const clean = path.resolve(process.env.E2E_CLEAN_DIST ?? 'dist');
  const testBuild = path.resolve(process.env.E2E_DIST!);
  expect(existsSync(path.join(clean, 'index.html')), `${clean} is missing: run npm run build first`).toBe(true);
  const withHook = (dir: string) => scripts(dir).filter((f) => readFileSync(f, 'utf8').includes(HOOK)).map((f) => path.relative(dir, f));
  expect(withHook(clean)).toEqual([]);
  // The search itself works: the test build, made from the same sources, has the hook.
  expect(withHook(testBuild).length).toBeGreaterThan(0);
  expect(readFileSync(path.join(clean, 'index.html'), 'utf8')).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval';[^"]*object-src 'none'; base-uri 'none'; form-action 'none'"/);
});

let exporter: Running;
test.beforeAll(async () => {
  exporter = await startExporter(builtExporter(), EXPORTER, ['--interval', '500ms'], { control: { mode: 'ok', gpus: 1 } });
});
test.afterAll(async () => {
  await exporter?.stop();
});

/**
 * A whole session: a server and an exporter from the address, the dashboard with their figures, the
 * endpoint form, Models, Settings, Export, then Import of the exported file. Returns the page.
 */
async function fullSession(context: BrowserContext, serverUrl: string, outFile: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`./?server=${encodeURIComponent(serverUrl)}&exporter=${encodeURIComponent(exporter.base)}#/dashboard`);
  await waitForDb(page);
  await expect(page.getByTestId('endpoint-card').getByTestId('status-badge')).toHaveAttribute('data-state', /^(ok|busy)$/);
  await expect(page.getByTestId('exporter-panel').getByTestId('status-badge')).toHaveAttribute('data-state', 'ok');
  await expect(page.locator('[data-testid=chart]').first()).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await page.getByRole('button', { name: 'Manage endpoints' }).click();
  await page.getByRole('button', { name: 'Edit' }).first().click();
  await page.getByRole('button', { name: 'Show key' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  // The service worker installs and controls under the policy (it precaches the app, wasm included).
  expect(await page.evaluate(async () => !!(await navigator.serviceWorker.ready).active)).toBe(true);

  await page.getByRole('link', { name: 'Models' }).click();
  await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'New configuration' }).click();
  await page.getByLabel('Name').fill('security session');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Saved/ })).toBeVisible();
  await page.getByRole('button', { name: 'Export…' }).click();
  await page.getByRole('button', { name: 'Export anyway' }).click();
  await expect(page.getByTestId('export-text')).toHaveValue(/llama-server/);
  await page.getByRole('button', { name: 'Import a command…' }).click();
  const importer = page.getByRole('dialog', { name: 'Import a launch command' });
  await importer.getByLabel(/Paste the command/).fill('llama-server -m /models/x.gguf -c 4096');
  await expect(importer.getByRole('table', { name: 'Understood arguments' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(importer).toBeHidden();
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByTestId('db-tables')).toContainText('endpoints');
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export database' }).click();
  await page.getByRole('dialog', { name: 'Export the database' }).getByRole('button', { name: 'Export', exact: true }).click();
  await (await downloading).saveAs(outFile);
  await page.getByTestId('import-file').setInputFiles(outFile);
  await page.getByRole('dialog', { name: 'Replace the whole database?' }).getByRole('button', { name: 'Replace' }).click();
  await expect(page.getByText(/^Imported /)).toBeVisible();
  await page.reload();
  await waitForDb(page);
  return page;
}

test('a full session raises no Content-Security-Policy violation', async ({ context }, testInfo) => {
  test.setTimeout(120_000);
  const violations: string[] = [];
  await context.exposeBinding('__reportCspViolation', (_src, v: string) => void violations.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCspViolation: (v: string) => void }).__reportCspViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const server = await startStandIn({ port: STAND_IN, traffic: 'steady' });
  try {
    const page = await fullSession(context, server.url, testInfo.outputPath('backup.sqlite3'));
    await page.goto('./#/models');
    await waitForDb(page);
    expect(violations).toEqual([]);
    // The listener does hear the policy: an injected inline script is refused and reported.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.append(s);
    });
    await expect.poll(() => violations).toEqual([expect.stringMatching(/^script-src-elem blocked inline/)]);
    expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
  } finally {
    await server.close();
  }
});

test('a full session sends requests only to the page\'s own origin and the endpoints it was given', async ({ context, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  const seen: { url: string; fromServiceWorker: boolean }[] = [];
  context.on('request', (r) => seen.push({ url: r.url(), fromServiceWorker: r.serviceWorker() !== null }));
  const server = await startStandIn({ port: STAND_IN + 1, traffic: 'steady' });
  try {
    await fullSession(context, server.url, testInfo.outputPath('backup.sqlite3'));
    const allowed = new Set([new URL(baseURL!).origin, new URL(server.url).origin, new URL(exporter.base).origin]);
    const origin = (u: string) => new URL(u.startsWith('blob:') ? u.slice(5) : u).origin;
    expect(seen.filter((r) => !r.url.startsWith('data:') && !allowed.has(origin(r.url))).map((r) => r.url)).toEqual([]);
    // What was recorded covers the workers too: the database worker's polls and the service worker's precache.
    expect(seen.some((r) => r.url.startsWith(`${server.url}/metrics`))).toBe(true);
    expect(seen.some((r) => r.url.startsWith(`${exporter.base}/api/v1/snapshot`))).toBe(true);
    expect(seen.some((r) => r.fromServiceWorker && r.url.endsWith('.wasm'))).toBe(true);
  } finally {
    await server.close();
  }
});

test('an endpoint added by a link says so until kept or removed, and never gets another endpoint\'s key', async ({ page }) => {
  test.setTimeout(120_000);
  const [keyed, linked] = await Promise.all([
    startStandIn({ port: STAND_IN + 2, apiKey: 'sk-e2e', traffic: 'idle' }),
    startStandIn({ port: STAND_IN + 3, apiKey: 'sk-e2e', traffic: 'idle' }),
  ]);
  try {
    await page.goto(`./?server=${encodeURIComponent(keyed.url)}#/dashboard`);
    await waitForDb(page);
    const card = page.getByTestId('endpoint-card');
    const marker = card.getByTestId('link-marker');
    await expect(marker).toContainText('Added by a link');
    // It polls meanwhile (a scripted link keeps working): here the server asks for a key the link cannot carry.
    await expect(card.getByTestId('status-message')).toContainText(/key/i);
    await marker.getByRole('button', { name: 'Keep' }).click();
    await expect(marker).toHaveCount(0);
    await page.reload();
    await waitForDb(page);
    await expect(page.getByTestId('endpoint-card')).toHaveCount(1);
    await expect(page.getByTestId('link-marker')).toHaveCount(0);

    // The user gives the kept endpoint its key through the form, where the key is masked until shown.
    await page.getByRole('button', { name: 'Manage endpoints' }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    const key = page.getByLabel('API key');
    await expect(key).toHaveAttribute('type', 'password');
    await key.fill('sk-e2e');
    await page.getByRole('button', { name: 'Show key' }).focus();
    await page.keyboard.press('Enter');
    await expect(key).toHaveAttribute('type', 'text');
    await expect(page.getByRole('button', { name: 'Hide key' })).toHaveAttribute('aria-pressed', 'true');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(card.getByTestId('status-badge')).toHaveAttribute('data-state', 'ok');

    // A second link: its endpoint polls without any key, though the first one has one.
    keyed.control({ resetHits: true });
    await page.goto(`./?server=${encodeURIComponent(linked.url)}#/dashboard`);
    await waitForDb(page);
    const second = page.locator(`[data-testid=endpoint-card]:has(h2:text-is("127.0.0.1:${STAND_IN + 3}"))`);
    await expect(second.getByTestId('link-marker')).toBeVisible();
    await expect.poll(() => linked.state().log.length).toBeGreaterThan(2);
    expect(linked.state().log.map((l: { auth: string | null }) => l.auth).filter(Boolean)).toEqual([]);
    const list = await dbCall<Endpoint[]>(page, 'listEndpoints');
    expect(list.map((e) => [e.url, e.apiKey, e.fromLink])).toEqual([[keyed.url, 'sk-e2e', false], [linked.url, null, true]]);
    await second.getByTestId('link-marker').getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByTestId('endpoint-card')).toHaveCount(1);
    await page.reload();
    await waitForDb(page);
    await expect(page.getByTestId('endpoint-card')).toHaveCount(1);

    // Pointing the kept endpoint at another origin asks before sending its key there; the default clears it.
    await page.getByRole('button', { name: 'Manage endpoints' }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Base URL').fill(`http://localhost:${STAND_IN + 2}`);
    const ask = page.getByTestId('key-moves');
    await expect(ask).toContainText(`another server (http://localhost:${STAND_IN + 2})`);
    await expect(ask.getByLabel('No, clear the key')).toBeChecked();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await dbCall<Endpoint[]>(page, 'listEndpoints')).map((e) => [e.url, e.apiKey]))
      .toEqual([[`http://localhost:${STAND_IN + 2}`, null]]);
  } finally {
    await Promise.all([keyed.close(), linked.close()]);
  }
});

test('the header line the README gives for hosts that send one also lets the database worker run, and reaches it', async ({ page }) => {
  test.setTimeout(90_000);
  const readme = readFileSync('README.md', 'utf8');
  const policy = /^ {4}Content-Security-Policy: (.+)$/m.exec(readme)?.[1];
  expect(policy, 'README gives no Content-Security-Policy header line').toMatch(/frame-ancestors 'none'$/);
  const port = STAND_IN + 4;
  const server = await startStandIn({ port: STAND_IN + 5, traffic: 'steady' });
  let host = await startStaticServer({ dir: process.env.E2E_DIST!, port, headers: { 'Content-Security-Policy': policy! } });
  try {
    await page.goto(`${host.url}?server=${encodeURIComponent(server.url)}#/dashboard`);
    await waitForDb(page);
    await expect(page.getByTestId('endpoint-card').getByTestId('status-badge')).toHaveAttribute('data-state', /^(ok|busy)$/);
    await host.close();
    // Without 'wasm-unsafe-eval' the worker cannot compile SQLite: the header, unlike the meta tag, governs it.
    host = await startStaticServer({ dir: process.env.E2E_DIST!, port, headers: { 'Content-Security-Policy': policy!.replace(" 'wasm-unsafe-eval'", '') } });
    const fresh = await page.context().browser()!.newContext({ serviceWorkers: 'block' });
    try {
      const other = await fresh.newPage();
      await other.goto(`${host.url}#/dashboard`);
      await expect(dbStatus(other)).toHaveText('Database error');
    } finally {
      await fresh.close();
    }
  } finally {
    await Promise.all([host.close(), server.close()]);
  }
});
