import { expect, test } from '@playwright/test';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { waitForDb } from './helpers';

// Router mode end to end against the stand-in router (tests/fixtures/llama-stand-in-router.mjs).
const PORT = 18250;

test('a router lists its models; Load and Unload follow the model state until it settles', async ({ page }) => {
  test.setTimeout(120_000);
  const server = await startStandIn({ port: PORT, router: true, traffic: 'steady', slots: 2, loadMs: 1500 });
  try {
    await page.goto(`./?server=${encodeURIComponent(server.url)}#/dashboard`);
    await waitForDb(page);
    const card = page.getByTestId('endpoint-card');
    await expect(card.getByTestId('model')).toHaveText('Router: 0 of 3 loaded');
    const tiny = page.locator('[data-testid=router-model][data-model="tiny"]');
    await expect(tiny).toHaveAttribute('data-state', 'unloaded');

    await tiny.getByRole('button', { name: 'Load' }).click();
    await expect(tiny).toHaveAttribute('data-state', 'loading');
    await expect(tiny.getByRole('progressbar')).toBeVisible();
    await expect(tiny).toHaveAttribute('data-state', 'loaded', { timeout: 20_000 });
    await expect(card.getByTestId('model')).toHaveText('Router: 1 of 3 loaded');
    // Its charts get the loaded model's slots.
    await expect(page.locator('[data-testid=chart][data-title="Context fill per slot"] .u-legend .u-series')).toHaveCount(3, { timeout: 20_000 });

    await tiny.getByRole('button', { name: 'Unload' }).click();
    await expect(tiny).toHaveAttribute('data-state', 'unloaded', { timeout: 20_000 });
    await expect(tiny.getByRole('button', { name: 'Load' })).toBeEnabled();

    // Watching a router must not load anything by itself: the models nobody asked for stay unloaded.
    expect((server.state().models ?? []).filter((m: { id: string }) => m.id !== 'tiny')).toEqual([
      { id: 'tiny-copy', state: 'unloaded' }, { id: 'tiny-preset', state: 'unloaded' },
    ]);
  } finally {
    await server.close();
  }
});

test('a model that fails to load is shown failed with a retry', async ({ page }) => {
  test.setTimeout(90_000);
  const server = await startStandIn({ port: PORT + 1, router: true, traffic: 'idle', loadMs: 500 });
  try {
    await page.goto(`./?server=${encodeURIComponent(server.url)}#/dashboard`);
    await waitForDb(page);
    server.control({ failLoad: 'tiny-copy' });
    const copy = page.locator('[data-testid=router-model][data-model="tiny-copy"]');
    await copy.getByRole('button', { name: 'Load' }).click();
    await expect(copy).toHaveAttribute('data-state', 'failed', { timeout: 20_000 });
    await copy.getByRole('button', { name: 'Retry load' }).click();
    await expect(copy).toHaveAttribute('data-state', 'loaded', { timeout: 20_000 });
  } finally {
    await server.close();
  }
});
