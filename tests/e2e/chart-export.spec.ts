import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { waitForDb } from './helpers';

// Every chart's current range leaves as a file: CSV with one column per series, PNG as drawn.
// Port 18300 belongs to this spec.
const PORT = 18300;
const chart = (page: Page, title: string) => page.locator(`[data-testid=chart][data-title="${title}"]`);

test('a chart downloads its range as CSV (ISO and epoch times, one column per series) and as a PNG', async ({ page }) => {
  const server = await startStandIn({ port: PORT, traffic: 'steady', slots: 2 });
  try {
    await page.goto(`./?server=${encodeURIComponent(server.url)}#/dashboard`);
    await waitForDb(page);
    const c = chart(page, 'Slots busy');
    await expect.poll(async () => Number(await c.getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(2);

    const [csv] = await Promise.all([page.waitForEvent('download'), c.getByRole('button', { name: 'Download Slots busy as CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(/^slots-busy-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.csv$/);
    const lines = readFileSync(await csv.path(), 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^time,time_ms,/);
    const points = Number(await c.getAttribute('data-points'));
    expect(lines.length - 1).toBeGreaterThanOrEqual(Math.min(points, 3));
    const [iso, ms, ...cells] = lines[1].split(',');
    expect(new Date(iso).getTime()).toBe(Number(ms));
    expect(Math.abs(Number(ms) - Date.now())).toBeLessThan(15 * 60_000);
    expect(cells.length).toBe(lines[0].split(',').length - 2);

    const [png] = await Promise.all([page.waitForEvent('download'), c.getByRole('button', { name: 'Download Slots busy as PNG' }).click()]);
    expect(png.suggestedFilename()).toMatch(/^slots-busy-.*\.png$/);
    const bytes = readFileSync(await png.path());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    const canvas = await c.locator('canvas').boundingBox();
    // IHDR width and height: the plot plus room for the title and the legend.
    expect(bytes.readUInt32BE(16)).toBeGreaterThan(canvas!.width);
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(canvas!.height + 20);
  } finally {
    await server.close();
  }
});
