import { expect, test } from '@playwright/test';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { waitForDb } from './helpers';

// A server that claims a billion slots and invents new label values on every read: the page stays usable
// and says what it left out. Ports 18290-18291 belong to this spec.
const PORT = 18290;

test('a server claiming 1e9 slots and inventing series on every read leaves the page usable and says so', async ({ page }) => {
  test.setTimeout(90_000);
  const server = await startStandIn({ port: PORT, traffic: 'steady', slots: 2 });
  server.control({ props: { total_slots: 1e9 }, churn: 100 });
  try {
    await page.goto(`./?server=${encodeURIComponent(server.url)}#/dashboard`);
    await waitForDb(page);
    const card = page.getByTestId('endpoint-card');
    await expect(card.getByTestId('slots')).toHaveText(/^\d+ \/ 512$/, { timeout: 15_000 });
    await expect(card.getByTestId('status-message')).toContainText('more than 512 series; only the first 512 are stored', { timeout: 15_000 });
    await expect(card.getByTestId('status-badge')).toHaveAttribute('data-state', /^(ok|busy)$/);
    // Still live: new samples keep arriving after the cap.
    await expect.poll(() => card.getByTestId('uptime').textContent(), { timeout: 10_000 }).not.toBe(await card.getByTestId('uptime').textContent());
  } finally {
    await server.close();
  }
});
