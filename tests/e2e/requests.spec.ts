import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { waitForDb } from './helpers';

// The Requests view end to end: the built app's worker polls the stand-in llama-server while it serves
// steady traffic (a request every 2 s, ~3 s each), turns /slots and the counters into request rows in OPFS,
// and the view lists them with their percentiles. Port 18320 belongs to this spec.
const PORT = 18320;
const HEADER = 'start,endpoint,model,slot,prompt_tokens,cached_tokens,generated_tokens,queue_ms,ttft_ms,prefill_tps,decode_tps,duration_ms,outcome';

const rows = (page: Page) => page.getByTestId('request-row');
const endedRows = (page: Page) => rows(page).filter({ hasText: /ended/ });

test('requests served by a llama-server are listed with TTFT and decode speed, summed up in percentiles, downloadable, and kept after a reload', async ({ page }) => {
  test.setTimeout(120_000);
  const server = await startStandIn({ port: PORT, traffic: 'steady', slots: 2 });
  try {
    await page.goto(`./?server=${encodeURIComponent(server.url)}#/requests`);
    await waitForDb(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Requests');
    await expect(page.getByRole('link', { name: 'Requests' })).toHaveAttribute('aria-current', 'page');

    await expect.poll(() => endedRows(page).count(), { timeout: 40_000 }).toBeGreaterThanOrEqual(3);
    const first = endedRows(page).first();
    await expect(first.getByTestId('ttft')).toHaveText(/^\d[\d,.]* (ms|s)$/);
    // The stand-in generates 120-180 tokens in 3 s: about 40-60 tok/s.
    const decode = parseFloat((await first.getByTestId('decode').textContent())!.replace(/,/g, ''));
    expect(decode).toBeGreaterThan(30);
    expect(decode).toBeLessThan(70);
    await expect(first.getByTestId('generated')).toHaveText(/^1\d\d/);

    const pct = page.getByTestId('request-percentiles');
    await expect(pct.getByTestId('pct-ttft').locator('td').first()).toHaveText(/^\d[\d,.]* (ms|s)$/);
    await expect(pct.getByTestId('pct-decode').locator('td').first()).toHaveText(/tok\/s$/);
    await expect(pct).toContainText(/known to ±\d+ ms/);
    await expect(pct.locator('[data-testid=chart]')).toHaveCount(4);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('requests-csv').click()]);
    const lines = readFileSync(await csv.path(), 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const ended = lines.slice(1).map((l) => l.split(',')).find((c) => c[12] === 'ended' && c[8] !== '')!;
    expect(Math.abs(Number(ended[0]) - Date.now())).toBeLessThan(10 * 60_000);
    expect(ended[1]).toBe(`127.0.0.1:${PORT}`);
    expect(Number(ended[10])).toBeGreaterThan(30);

    // Stop the server, then reload: the rows shown come from the database.
    const before = await endedRows(page).count();
    await server.close();
    await page.reload();
    await waitForDb(page);
    await expect.poll(() => endedRows(page).count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(before);
  } finally {
    await server.close().catch(() => undefined);
  }
});
