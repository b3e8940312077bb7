import { expect, test } from '@playwright/test';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { startPrometheus } from '../fixtures/prometheus-server.mjs';
import { waitForDb } from './helpers';

// A local copy of an instance's charts, read from a real Prometheus (Debian's /usr/bin/prometheus on a
// free loopback port) scraping the stand-in llama-server: kept from the instance view, then Prometheus
// stops, the page reloads, and the copy is what the instance view, the fleet list and the copy's own
// page show. Every port here is a free one.

test('a range kept as a local copy is still shown after Prometheus stops and the page reloads', async ({ page }) => {
  test.setTimeout(120_000);
  const llama = await startStandIn({ port: 0, traffic: 'steady' });
  const address = new URL(llama.url).host;
  let prom: { url: string; close: () => Promise<void> } | null = await startPrometheus({
    files: () => ({ 'prometheus.yml': `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: llama-box\n    static_configs:\n      - targets: ["${address}"]\n` }),
  });
  const started = Date.now();
  try {
    await page.goto(`./?prometheus=${encodeURIComponent(prom.url)}#/fleet`);
    await waitForDb(page);
    const row = page.locator('[data-testid=fleet-row][data-job="llama-box"]');
    await expect(row.locator('[data-col=up]')).toHaveText('up', { timeout: 30_000 });
    await expect.poll(async () => Number(await row.locator('[data-col=genTps]').getAttribute('data-value')), { timeout: 30_000 }).toBeGreaterThan(0);
    await row.getByRole('link').click();
    await expect(page.getByTestId('instance-view')).toBeVisible();
    // The fleet guesses the scrape interval from the samples of the last minute: a young Prometheus
    // looks slower than it is. After 50 s the guess is the real 1 s, and so is the copy's step.
    await page.waitForTimeout(Math.max(0, started + 50_000 - Date.now()));

    const keep = page.getByTestId('keep-copy');
    await keep.getByLabel('Range to copy').selectOption({ label: 'Last 1 h' });
    await keep.getByRole('button', { name: 'Keep a local copy' }).click();
    const result = keep.getByTestId('copy-result');
    await expect(result).toContainText(`Kept a local copy of llama-box · ${address}: `, { timeout: 30_000 });
    const samples = Number(/([\d,]+) samples in \d+ lines/.exec((await result.textContent()) ?? '')![1].replace(/,/g, ''));
    expect(samples).toBeGreaterThan(100);
    await expect(result).toContainText('one point every 1 s');
    await expect(page.getByTestId('local-copy')).toHaveCount(1);

    // Prometheus goes away; the reloaded instance view says so and draws the copy instead.
    await prom.close();
    prom = null;
    await page.reload();
    await waitForDb(page);
    await expect(page.getByTestId('instance-view').getByRole('alert').first()).toContainText('Cannot reach Prometheus', { timeout: 20_000 });
    await expect(page.getByTestId('copy-fallback')).toContainText(`Shown instead: your local copy (${samples.toLocaleString('en-US')} samples`, { timeout: 20_000 });
    const gen = page.locator('[data-testid=chart][data-title="Generation tok/s"] .plot');
    await expect.poll(async () => Number(/Generation tok\/s ([\d.,]+) tok\/s/.exec((await gen.getAttribute('aria-label')) ?? '')?.[1].replace(/,/g, '') ?? NaN), { timeout: 20_000 }).toBeGreaterThan(0);

    // The fleet page lists it; its own page draws it; it can be deleted.
    await page.goto('./#/fleet');
    const listed = page.getByTestId('local-copies').getByTestId('local-copy');
    await expect(listed).toHaveCount(1);
    await listed.getByRole('link', { name: `llama-box · ${address}` }).click();
    await expect(page.getByTestId('copy-view')).toBeVisible();
    await expect(page.getByTestId('copy-summary')).toContainText(`${samples.toLocaleString('en-US')} samples`);
    await expect(page.locator('[data-testid=copy-view] [data-testid=chart][data-title="Generation tok/s"]')).toBeVisible();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete this copy' }).click();
    await expect(page).toHaveURL(/#\/fleet$/);
    await expect(page.getByTestId('local-copy')).toHaveCount(0);
  } finally {
    await prom?.close();
    await llama.close();
  }
});
