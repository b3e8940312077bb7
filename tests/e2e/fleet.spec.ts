import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { startPrometheus } from '../fixtures/prometheus-server.mjs';
import { startExporter, type Running } from '../unit/exporter/harness';
import type { Endpoint } from '../../src/lib/types';
import { builtExporter, dbCall, waitForDb } from './helpers';
import bcrypt from 'bcryptjs';

// The fleet read from a real Prometheus (Debian's /usr/bin/prometheus on loopback, temp data folder)
// started with the prometheus.yml and rules the dashboard itself offers for download, scraping the
// stand-in llama-server (with an API key), a stand-in router and the real exporter. Ports 18280-18289.
const PORT = 18280;
const KEY = 'fleet-e2e-key';

async function download(page: Page, button: string): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return readFileSync((await d.path())!, 'utf8');
}

/** Tokens per second the stand-in served over `ms`, from its own counter. */
async function servedRate(url: string, ms: number): Promise<number> {
  const read = async () => {
    const text = await (await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${KEY}` } })).text();
    return { at: Date.now(), n: Number(/^llamacpp:tokens_predicted_total (\S+)$/m.exec(text)![1]) };
  };
  const a = await read();
  await new Promise((r) => setTimeout(r, ms));
  const b = await read();
  return ((b.n - a.n) * 1000) / (b.at - a.at);
}

test('the fleet comes from a Prometheus running the generated configuration; a router is scraped without loading a model', async ({ page }) => {
  test.setTimeout(180_000);
  const single = await startStandIn({ port: PORT, apiKey: KEY, traffic: 'steady' });
  const router = await startStandIn({ port: PORT + 1, router: true, traffic: 'steady', loadMs: 100 });
  let exporter: Running | null = null;
  let prom: { url: string; close: () => Promise<void> } | null = null;
  try {
    await fetch(`${router.url}/models/load`, { method: 'POST', body: JSON.stringify({ model: 'tiny' }) });
    exporter = await startExporter(builtExporter(), PORT + 2, ['--interval', '500ms'], { control: { mode: 'ok', gpus: 1, util: 37 } });

    await page.goto(`./?server=${encodeURIComponent(single.url)}&server=${encodeURIComponent(router.url)}&exporter=${encodeURIComponent(exporter.base)}#/fleet`);
    await waitForDb(page);
    const eps = await dbCall<Endpoint[]>(page, 'listEndpoints');
    await dbCall(page, 'updateEndpoint', eps.find((e) => e.url === single.url)!.id, { apiKey: KEY });

    // The configuration as the page offers it: 1 s scrapes, the key in a credentials file of ours.
    const secrets = mkdtempSync(path.join(tmpdir(), 'llamadash-fleet-secrets-'));
    await page.getByText('Scrape these servers with your own Prometheus').click();
    await page.getByLabel('Scrape every (s)').fill('1');
    await page.getByLabel('Credentials folder').fill(secrets);
    await expect(page.getByTestId('prometheus-yml')).toContainText('model: ["tiny-copy"]', { timeout: 20_000 });
    // The key given above reaches the page with the next endpoints event: wait for it to show as a file.
    await expect(page.getByTestId('prometheus-yml')).toContainText('credentials_file:');
    const yml = await download(page, 'Download prometheus.yml');
    const rules = await download(page, 'Download llamadash-rules.yml');
    expect(yml).not.toContain(KEY);
    const tokenFile = /credentials_file: "([^"]+)"/.exec(yml)![1];
    expect(path.dirname(tokenFile)).toBe(secrets);
    writeFileSync(tokenFile, `${KEY}\n`, { mode: 0o600 });
    prom = await startPrometheus({ files: () => ({ 'prometheus.yml': yml, 'llamadash-rules.yml': rules }) });

    await page.goto(`./?prometheus=${encodeURIComponent(prom!.url)}#/fleet`);
    await waitForDb(page);
    await expect(page.getByTestId('prometheus-source')).toHaveCount(1);
    // The servers this browser polls itself are rows too.
    const direct = page.locator(`[data-testid=fleet-row][data-instance="${single.url}"]`);
    await expect(direct.locator('td').first()).toHaveText('direct');
    await expect(direct.locator('[data-col=up]')).toHaveText('up', { timeout: 20_000 });
    await expect(direct.locator('[data-col=genTps]')).toHaveAttribute('data-value', /^\d/);
    const row = (job: string) => page.locator(`[data-testid=fleet-row][data-job="${job}"]`);
    await expect(row('llama-127-0-0-1-18280')).toHaveCount(1, { timeout: 30_000 });
    await expect(row('llama-127-0-0-1-18281-tiny')).toHaveCount(1);
    await expect(row('exporter-127-0-0-1-18282')).toHaveCount(1);
    await expect(row('llama-127-0-0-1-18280').locator('[data-col=up]')).toHaveText('up');
    // The router model that is not loaded is scraped (and down), never loaded by the scrape.
    await expect(row('exporter-127-0-0-1-18282').locator('[data-col=gpuUtil]')).toHaveText('37 %');
    await expect(row('llama-127-0-0-1-18280').locator('[data-col=ctxFill]')).toHaveText('–');
    await expect(row('llama-127-0-0-1-18280').locator('[data-col=ctxFill]')).toHaveAttribute('title', /no companion exporter watches this server/);
    await expect(row('llama-127-0-0-1-18280').locator('[data-col=liveGenTps]')).toHaveText('–');

    const served = await servedRate(single.url, 10_000);
    const genCell = row('llama-127-0-0-1-18280').locator('[data-col=genTps]');
    await expect.poll(async () => Math.abs(Number(await genCell.getAttribute('data-value')) - served) / served, { timeout: 15_000 }).toBeLessThan(0.35);

    // Click through: the instance's charts from query_range.
    await row('llama-127-0-0-1-18280').getByRole('link').click();
    await expect(page.getByTestId('instance-view')).toBeVisible();
    await expect(page.getByText('none does, so those charts stay empty')).toBeVisible({ timeout: 20_000 });
    const gen = page.locator('[data-testid=chart][data-title="Generation tok/s"] .plot');
    await expect.poll(async () => {
      const m = /Generation tok\/s ([\d.,]+) tok\/s/.exec((await gen.getAttribute('aria-label')) ?? '');
      return m ? Math.abs(Number(m[1].replace(/,/g, '')) - served) / served : Infinity;
    }, { timeout: 20_000 }).toBeLessThan(0.35);

    const st = router.state();
    expect((st.hits as Record<string, number>).AUTOLOAD).toBeUndefined();
    expect((st.models ?? []).filter((m: { id: string }) => m.id !== 'tiny')).toEqual([{ id: 'tiny-copy', state: 'unloaded' }, { id: 'tiny-preset', state: 'unloaded' }]);
    const scrapes = st.log.filter((l: { path: string; query: string }) => l.path === '/metrics' && new URLSearchParams(l.query).has('model'));
    expect(scrapes.length).toBeGreaterThan(0);
    expect(scrapes.every((l: { query: string }) => new URLSearchParams(l.query).get('autoload') === 'false')).toBe(true);
  } finally {
    await prom?.close();
    await exporter?.stop();
    await single.close();
    await router.close();
  }
});

test('an unreachable Prometheus is said in words on the fleet page', async ({ page }) => {
  await page.goto(`./?prometheus=${encodeURIComponent(`http://127.0.0.1:${PORT + 9}`)}#/fleet`);
  await waitForDb(page);
  await expect(page.getByTestId('prometheus-source').getByRole('alert')).toContainText(`Cannot reach Prometheus at http://127.0.0.1:${PORT + 9}`);
});

/** A stand-in authenticating proxy in front of Prometheus: 401 to everything, with or without CORS headers. */
async function authProxy(port: number, cors: boolean): Promise<{ close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const headers: OutgoingHttpHeaders = { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Basic realm="prom"' };
    if (cors) Object.assign(headers, { 'Access-Control-Allow-Origin': req.headers.origin ?? '*', 'Access-Control-Allow-Headers': 'Authorization' });
    res.writeHead(req.method === 'OPTIONS' && cors ? 204 : 401, headers);
    res.end(req.method === 'OPTIONS' ? '' : 'Unauthorized');
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('an authenticating proxy is explained: 401 without CORS headers, and 401 the page can read', async ({ page }) => {
  const bare = await authProxy(PORT + 5, false);
  const open = await authProxy(PORT + 6, true);
  try {
    await page.goto(`./?prometheus=${encodeURIComponent(`http://127.0.0.1:${PORT + 5}`)}&prometheus=${encodeURIComponent(`http://127.0.0.1:${PORT + 6}`)}#/fleet`);
    await waitForDb(page);
    const alerts = page.getByTestId('prometheus-source').getByRole('alert');
    await expect(alerts.nth(0)).toContainText('the browser blocked the answer (CORS)');
    await expect(alerts.nth(0)).toContainText('If an authenticating proxy sits in front, it must answer the browser\'s OPTIONS request');
    await expect(alerts.nth(1)).toContainText('needs credentials (401)');
  } finally {
    await bare.close();
    await open.close();
  }
});

test('Prometheus\' own basic auth: the page says why even the right password cannot be used from another address', async ({ page }) => {
  // Measured: with basic_auth_users Prometheus asks for the password on the CORS preflight too, which
  // browsers send without it; the right password reads data only outside a browser (fleet-scrape.test.ts).
  const prom = await startPrometheus({
    args: (dir: string) => [`--web.config.file=${path.join(dir, 'web.yml')}`],
    files: () => ({ 'prometheus.yml': 'global:\n  scrape_interval: 1s\nscrape_configs: []\n', 'web.yml': `basic_auth_users:\n  admin: ${bcrypt.hashSync('s3cret', 4)}\n` }),
    readyHeaders: { Authorization: `Basic ${btoa('admin:s3cret')}` },
  });
  try {
    const answer = await fetch(`${prom.url}/api/v1/query?query=vector(1)`, { headers: { Authorization: `Basic ${btoa('admin:s3cret')}` } });
    expect(answer.status).toBe(200);
    await page.goto(`./?prometheus=${encodeURIComponent(prom.url)}#/fleet`);
    await waitForDb(page);
    const ep = (await dbCall<Endpoint[]>(page, 'listEndpoints')).find((e) => e.kind === 'prometheus')!;
    await dbCall(page, 'updateEndpoint', ep.id, { apiKey: 'Basic admin:s3cret' });
    const alert = page.getByTestId('prometheus-source').getByRole('alert');
    await expect(alert).toContainText('the browser blocked the answer (CORS)', { timeout: 20_000 });
    await expect(alert).toContainText('Prometheus\' own basic auth (basic_auth_users in its --web.config.file) cannot be read from a page at another address');
    await expect(alert).toContainText('Put a proxy in front that answers OPTIONS itself, or serve the dashboard and Prometheus from one address.');
  } finally {
    await prom.close();
  }
});
