import { expect, test, type Locator, type Page } from '@playwright/test';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { waitForDb } from './helpers';

// The live path end to end: the built app's worker polls the stand-in llama-server (tests/fixtures), stores
// samples in OPFS, and the dashboard draws them. Ports 18240-18249 belong to these specs.
const PORT = 18240;

const chart = (page: Page, title: string) => page.locator(`[data-testid=chart][data-title="${title}"]`);
const points = async (page: Page, title = 'Tokens per second') => Number(await chart(page, title).getAttribute('data-points'));
const number = async (l: Locator) => parseFloat((await l.textContent())?.replace(/,/g, '') ?? '') || 0;

test('a server given by ?server= is polled and charted, its history survives a reload, and down/up is shown', async ({ page }) => {
  test.setTimeout(150_000);
  let server = await startStandIn({ port: PORT, traffic: 'steady', slots: 2 });
  try {
    await page.goto(`./?server=${encodeURIComponent(server.url)}#/dashboard`);
    await waitForDb(page);
    const card = page.getByTestId('endpoint-card');
    await expect(card).toHaveCount(1);
    await expect(card.getByRole('heading')).toHaveText(`127.0.0.1:${PORT}`);
    await expect(card.getByTestId('status-badge')).toHaveAttribute('data-state', /^(ok|busy)$/);
    await expect(card.getByTestId('model')).not.toHaveText('–');
    await expect(card.getByTestId('slots')).toHaveText(/^\d \/ 2$/);
    // The address is cleaned once the endpoint is stored, so removing it later and reloading does not re-add it.
    await expect(page).not.toHaveURL(/server=/);

    server.control({ generating: { tokens: 4000, ms: 40_000 } });
    await expect.poll(() => number(card.getByTestId('gen-tps')), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => number(card.getByTestId('ctx-fill'))).toBeGreaterThan(0);
    const early = await points(page);
    await expect.poll(() => points(page), { timeout: 15_000 }).toBeGreaterThan(early + 3);
    await expect(chart(page, 'Tokens per second').getByRole('group')).toHaveAttribute('aria-label', /Generation \(live\) [1-9][\d.,]* tok\/s/);

    // Stop the server, then reload: whatever the charts show right away came from the database, not a poll.
    await server.close();
    const before = await points(page);
    await page.reload();
    await waitForDb(page);
    await expect.poll(() => points(page), { timeout: 3000 }).toBeGreaterThanOrEqual(before);
    await expect(chart(page, 'Tokens per second').getByRole('group')).toHaveAttribute('aria-label', /Generation \(live\) [1-9][\d.,]* tok\/s/);
    await expect(chart(page, 'Slots busy')).toHaveAttribute('data-points', /^[1-9]\d*$/);

    const fresh = page.getByTestId('endpoint-card');
    await expect(fresh.getByTestId('status-badge')).toHaveAttribute('data-state', 'down');
    await expect(fresh.getByTestId('status-message')).toContainText('Cannot reach');

    server = await startStandIn({ port: PORT, traffic: 'steady', slots: 2 });
    await expect(fresh.getByTestId('status-badge')).toHaveAttribute('data-state', /^(ok|busy)$/, { timeout: 40_000 });
    await expect(fresh.getByTestId('status-message')).toHaveCount(0);
  } finally {
    await server.close();
  }
});

test('a restart (counters going down) is marked on the charts', async ({ page }) => {
  test.setTimeout(90_000);
  const server = await startStandIn({ port: PORT + 1, traffic: 'steady', slots: 2 });
  try {
    await page.goto(`./?server=${encodeURIComponent(server.url)}#/dashboard`);
    await waitForDb(page);
    const card = page.getByTestId('endpoint-card');
    await expect(card.getByTestId('status-badge')).toHaveAttribute('data-state', /^(ok|busy)$/);
    await expect.poll(() => number(card.getByTestId('uptime')), { timeout: 15_000 }).toBeGreaterThan(2);
    server.control({ restart: true });
    await expect(chart(page, 'Tokens per second').getByText(/event(s)? marked/)).toBeVisible({ timeout: 15_000 });
  } finally {
    await server.close();
  }
});

test('a wrong API key is explained, and fixing it in the form brings the numbers', async ({ page }) => {
  test.setTimeout(90_000);
  const server = await startStandIn({ port: PORT + 2, apiKey: 'right-key', traffic: 'steady' });
  try {
    await page.goto(`./?server=${encodeURIComponent(server.url)}#/dashboard`);
    await waitForDb(page);
    const card = page.getByTestId('endpoint-card');
    await expect(card.getByTestId('status-message')).toContainText(/key/i);

    await page.getByRole('button', { name: 'Manage endpoints' }).click();
    const row = page.getByTestId('endpoint-row');
    await row.getByRole('button', { name: 'Edit' }).click();
    await row.getByLabel('API key').fill('right-key');
    await row.getByRole('button', { name: 'Test connection' }).click();
    await expect(row.getByTestId('test-result').getByTestId('status-badge')).toHaveAttribute('data-state', /^(ok|busy)$/);
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(card.getByTestId('status-badge')).toHaveAttribute('data-state', /^(ok|busy)$/, { timeout: 40_000 });
    await expect(card.getByTestId('slots')).toHaveText(/^\d \/ \d$/);

    await row.getByRole('button', { name: 'Disable' }).click();
    await expect(card.getByTestId('status-badge')).toHaveAttribute('data-state', 'disabled');
    await row.getByRole('button', { name: 'Remove…' }).click();
    await row.getByRole('button', { name: /^Remove .* and stop polling$/ }).click();
    await expect(card).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'Point the dashboard at a llama-server' })).toBeVisible();
  } finally {
    await server.close();
  }
});
