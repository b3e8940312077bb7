import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dbCall, openApp } from './helpers';

const SIM_HOST = 'simulated.llama-dashboard.invalid';
const TABLES = ['frames', 'frames_1m', 'frames_1h', 'layouts', 'events', 'requests'];

/** Rows stored for endpoints whose URL names the simulated host, per table, through the SQL console. */
async function simulatedRows(page: import('@playwright/test').Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [...TABLES, 'endpoints']) {
    const where = t === 'endpoints' ? `url LIKE '%${SIM_HOST}%'` : `endpoint_id IN (SELECT id FROM endpoints WHERE url LIKE '%${SIM_HOST}%')`;
    const r = await dbCall<{ rows: number[][] }>(page, 'runQuery', { sql: `SELECT count(*) FROM ${t} WHERE ${where}` });
    out[t] = Number(r.rows[0][0]);
  }
  return out;
}

test('a first visit tries the simulated server: it moves, is marked everywhere, reaches every tab and the Requests view, is never exported, and stops without a trace', async ({ page, context }) => {
  await openApp(page);
  // The simulator's code is not in the page's first-paint chunks: it is a chunk of its own, loaded by the worker.
  const dist = resolve(process.env.E2E_DIST ?? 'dist-test');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/assets\/([\w.-]+\.js)/g)].map((m) => m[1]);
  expect(entries.length).toBeGreaterThan(0);
  for (const e of entries) expect(readFileSync(join(dist, 'assets', e), 'utf8'), e).not.toContain('simulated-llama-3b');
  expect(readdirSync(join(dist, 'assets')).filter((f) => readFileSync(join(dist, 'assets', f)).includes('simulated-llama-3b'))).toEqual([
    expect.stringMatching(/^simulate-.*\.js$/),
  ]);

  await page.getByRole('button', { name: 'Try with a simulated server' }).click();
  const banner = page.getByTestId('sim-banner');
  await expect(banner).toBeVisible();
  const card = page.getByTestId('endpoint-card');
  await expect(card).toContainText('simulated-llama-3b');
  await expect(card.getByTestId('sim-badge')).toBeVisible();
  const exporter = page.getByTestId('exporter-panel');
  await expect(exporter.getByTestId('gpu-section')).toBeVisible();
  // Every chart of both panels carries the badge.
  const charts = page.getByTestId('chart');
  await expect.poll(() => charts.count()).toBeGreaterThan(4);
  const n = await charts.count();
  expect(await page.locator('[data-testid="chart"] [data-testid="sim-badge"]').count()).toBe(n);
  // The charts move: points keep coming.
  const first = charts.first();
  const before = Number(await first.getAttribute('data-points'));
  await expect.poll(async () => Number(await first.getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(before + 1);

  // A second tab of the same browser sees the simulation without starting its own.
  const second = await context.newPage();
  await openApp(second);
  await expect(second.getByTestId('sim-banner')).toBeVisible();
  await expect(second.getByTestId('endpoint-card').getByTestId('sim-badge')).toBeVisible();
  expect((await dbCall<{ url: string }[]>(second, 'listEndpoints')).filter((e) => e.url.includes(SIM_HOST))).toHaveLength(2);
  await second.close();

  // The request tracker follows the simulated requests into the Requests view.
  await page.goto('#/requests');
  await expect.poll(() => page.getByTestId('request-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('sim-banner')).toBeVisible();

  // The export leaves the simulation out, with or without secrets.
  for (const includeSecrets of [false, true]) {
    const holds = await page.evaluate(async ([secrets, host]) => {
      const hook = (window as unknown as { __llamaDash: { db: { exportDatabase(s: boolean): Promise<Uint8Array> } } }).__llamaDash;
      const bytes = await hook.db.exportDatabase(secrets as boolean);
      return new TextDecoder('latin1').decode(bytes).includes(host as string);
    }, [includeSecrets, SIM_HOST] as const);
    expect(holds, `includeSecrets=${includeSecrets}`).toBe(false);
  }

  const stored = await simulatedRows(page);
  expect(stored.endpoints).toBe(2);
  expect(stored.frames).toBeGreaterThan(0);
  expect(stored.requests).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Stop the simulation' }).click();
  await expect(banner).toHaveCount(0);
  await page.goto('#/dashboard');
  await expect(page.getByRole('button', { name: 'Try with a simulated server' })).toBeVisible();
  // Every simulated row is gone: endpoints, samples, rollups, layouts, events, requests.
  const left = await dbCall<{ rows: number[][] }>(page, 'runQuery', {
    sql: `SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t} WHERE endpoint_id NOT IN (SELECT id FROM endpoints))`).join(' + ')} + (SELECT count(*) FROM endpoints)`,
  });
  expect(Number(left.rows[0][0])).toBe(0);
});
