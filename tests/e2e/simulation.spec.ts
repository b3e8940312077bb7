import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dbCall, launchProfile, openApp, tempProfile, waitForDb } from './helpers';

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

test('a first visit tries the simulated server: one click shows every panel (server card, charts, router models, host and GPU, Requests), marked everywhere, in every tab, never exported, stopped without a trace', async ({ page, context }) => {
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
  const card = page.getByTestId('endpoint-card').filter({ hasText: 'Simulated llama-server' });
  await expect(card).toContainText('simulated-llama-3b');
  await expect(card.getByTestId('sim-badge')).toBeVisible();
  // The router's panel: its models in every state a newcomer meets, marked as simulated too.
  const routerCard = page.getByTestId('endpoint-card').filter({ hasText: 'Simulated router' });
  await expect(routerCard.getByTestId('model')).toHaveText('Router: 1 of 3 loaded');
  await expect(routerCard.getByTestId('sim-badge')).toBeVisible();
  const routerModels = page.getByRole('region', { name: 'Router models' });
  await expect(routerModels.getByTestId('sim-badge')).toBeVisible();
  await expect(routerModels.getByTestId('router-model')).toHaveCount(3);
  expect(await routerModels.getByTestId('router-model').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['loaded', 'loading', 'unloaded']);
  // Its Load button works as on a real router: the model starts loading.
  const unloaded = routerModels.locator('[data-testid="router-model"][data-state="unloaded"]');
  const unloadedId = await unloaded.getAttribute('data-model');
  await unloaded.getByRole('button', { name: 'Load' }).click();
  await expect(routerModels.locator(`[data-model="${unloadedId}"]`)).toHaveAttribute('data-state', 'loading');
  const exporter = page.getByTestId('exporter-panel');
  await expect(exporter.getByRole('region', { name: 'Host' }).getByRole('heading').getByTestId('sim-badge')).toBeVisible();
  await expect(exporter.getByTestId('host-cpu')).toHaveText(/\d/);
  await expect(exporter.getByTestId('gpu-section')).toBeVisible();
  await expect(exporter.getByTestId('gpu-name').getByTestId('sim-badge')).toBeVisible();
  await expect(exporter.getByTestId('gpu-temp')).toContainText('°C');
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
  await expect(second.getByTestId('endpoint-card').getByTestId('sim-badge')).toHaveCount(2);
  expect((await dbCall<{ url: string }[]>(second, 'listEndpoints')).filter((e) => e.url.includes(SIM_HOST))).toHaveLength(3);
  await second.close();

  // The request tracker follows the simulated requests into the Requests view.
  await page.goto('#/requests');
  await expect.poll(() => page.getByTestId('request-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('sim-banner')).toBeVisible();

  // No scrape job is offered for it: no Prometheus could reach a server that lives in this browser.
  await page.goto('#/fleet');
  await page.getByText('Scrape these servers with your own Prometheus').click();
  await expect(page.getByTestId('prometheus-yml')).toBeVisible();
  await expect(page.getByTestId('prometheus-yml')).not.toContainText(SIM_HOST);

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
  expect(stored.endpoints).toBe(3);
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
  expect(await dbCall(page, 'getMeta', 'simulation.clock')).toBeNull();
});

/** The newest stored sample of the endpoint named `name`, as the worker API gives it. */
async function latestOf(page: import('@playwright/test').Page, name: string): Promise<{ ts: number; values: Record<string, number | null> } | null> {
  const ep = (await dbCall<{ id: number; name: string }[]>(page, 'listEndpoints')).find((e) => e.name === name);
  return ep ? dbCall(page, 'latest', ep.id) : null;
}

test('closing the tab that runs the simulation hands it over: the next tab goes on with the same servers, counters and warm GPU', async ({ context }) => {
  test.setTimeout(120_000);
  const owner = await context.newPage();
  await openApp(owner);
  await owner.getByRole('button', { name: 'Try with a simulated server' }).click();
  const other = await context.newPage();
  await openApp(other);
  await expect(other.getByTestId('sim-banner')).toBeVisible();
  const clock = await dbCall<{ origin: number }>(owner, 'getMeta', 'simulation.clock');
  expect(clock.origin).toBeGreaterThan(0);

  // Wait for finished requests (the token counter moves when one ends) and a GPU warmer than at the start.
  const tokens = (l: Awaited<ReturnType<typeof latestOf>>) => l?.values['llamacpp:tokens_predicted_total'] ?? 0;
  await expect.poll(async () => tokens(await latestOf(owner, 'Simulated llama-server')), { timeout: 30_000 }).toBeGreaterThan(0);
  const before = (await latestOf(owner, 'Simulated llama-server'))!;
  const gpuBefore = (await latestOf(owner, 'Simulated host and GPU'))!.values['gpu_temp_c{gpu="0"}']!;

  const closedAt = Date.now();
  await owner.close();
  await waitForDb(other);
  // The new owner polls again: its first sample after the hand-over.
  await expect.poll(async () => (await latestOf(other, 'Simulated llama-server'))?.ts ?? 0, { timeout: 30_000 }).toBeGreaterThan(closedAt);
  const after = (await latestOf(other, 'Simulated llama-server'))!;
  // A simulation begun afresh would read 0 here: its first request ends seconds after it starts.
  expect(tokens(after)).toBeGreaterThanOrEqual(tokens(before));
  // Uptime goes on too: the new owner's poller starts from the last stored sample.
  expect(after.values.uptime_s!).toBeGreaterThan(before.values.uptime_s!);
  expect(await dbCall(other, 'getMeta', 'simulation.clock')).toEqual(clock);
  await expect.poll(async () => (await latestOf(other, 'Simulated host and GPU'))?.ts ?? 0, { timeout: 30_000 }).toBeGreaterThan(closedAt);
  expect((await latestOf(other, 'Simulated host and GPU'))!.values['gpu_temp_c{gpu="0"}']!).toBeGreaterThanOrEqual(gpuBefore - 1);
  const restarts = await dbCall<{ rows: number[][] }>(other, 'runQuery', { sql: "SELECT count(*) FROM events WHERE kind = 'restart'" });
  expect(Number(restarts.rows[0][0])).toBe(0);
  await expect(other.getByRole('region', { name: 'Router models' }).getByTestId('router-model')).toHaveCount(3);
  await expect(other.getByTestId('endpoint-card').filter({ hasText: 'Simulated llama-server' }).getByTestId('sim-badge')).toBeVisible();
});

test('closing every tab for a while: on return the simulation went on, and the simulated exporter\'s history fills the host and GPU for the time away', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const profile = tempProfile();
  const context = await launchProfile(profile.dir, baseURL);
  try {
    let page = await context.newPage();
    await openApp(page);
    await page.getByRole('button', { name: 'Try with a simulated server' }).click();
    await expect.poll(async () => (await latestOf(page, 'Simulated llama-server'))?.ts ?? 0, { timeout: 20_000 }).toBeGreaterThan(Date.now() - 3000);
    await expect.poll(async () => (await latestOf(page, 'Simulated host and GPU'))?.ts ?? 0, { timeout: 20_000 }).toBeGreaterThan(Date.now() - 3000);
    // Manage endpoints says the simulated exporter watches both simulated servers, as --llama would.
    await page.getByRole('button', { name: 'Manage endpoints' }).click();
    await expect(page.getByTestId('exporter-watches')).toContainText(`Watches ${SIM_HOST}:8080 (up), ${SIM_HOST}:8081 (up)`);

    await page.close();
    const closedAt = Date.now();
    await new Promise((r) => setTimeout(r, 12_000));
    const reopenedAt = Date.now();
    page = await context.newPage();
    await openApp(page);
    const eps = await dbCall<{ id: number; name: string }[]>(page, 'listEndpoints');
    const llama = eps.find((e) => e.name === 'Simulated llama-server')!;
    const host = eps.find((e) => e.name === 'Simulated host and GPU')!;

    // (The llama-server's own gap fills from the exporter's ?llama= pages only when it spans more than the minute
    // rollups cover, too long for this test: tests/unit/lib/simulate-router-history.test.ts runs the real gap filler on them.)
    // The host and GPU samples of that time come from the exporter's history, one a second.
    await expect.poll(async () => (await latestOf(page, 'Simulated host and GPU'))?.ts ?? 0, { timeout: 20_000 }).toBeGreaterThan(reopenedAt);
    const gpu = await dbCall<{ ts: number[] }>(page, 'history', { endpointId: host.id, keys: ['gpu_temp_c{gpu="0"}'], from: closedAt + 1000, to: reopenedAt - 1000, points: 100_000 });
    expect(gpu.ts.length).toBeGreaterThanOrEqual(Math.floor((reopenedAt - closedAt) / 1000) - 4);
    await expect.poll(async () => (await latestOf(page, 'Simulated llama-server'))?.ts ?? 0, { timeout: 20_000 }).toBeGreaterThan(reopenedAt + 4000);
    const up = await dbCall<{ ts: number[]; values: Record<string, (number | null)[]> }>(page, 'history', { endpointId: llama.id, keys: ['uptime_s'], from: closedAt - 60_000, to: Date.now() + 1000, points: 100_000 });
    // Uptime goes on across the time away (no restart is due in the first four minutes of a simulation).
    const ups = up.values.uptime_s.filter((v): v is number => v !== null);
    expect(ups.length).toBeGreaterThan(2);
    expect(ups.at(-1)!).toBeGreaterThan((reopenedAt - closedAt) / 1000);
    for (let i = 1; i < ups.length; i++) expect(ups[i]).toBeGreaterThanOrEqual(ups[i - 1]);
  } finally {
    await context.close();
    profile.remove();
  }
});
