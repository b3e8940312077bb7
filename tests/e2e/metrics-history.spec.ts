import { expect, test, type Page } from '@playwright/test';
import { dbCall, openApp } from './helpers';
import type { Endpoint, SampleFrame } from '../../src/lib/types';

// These tests write samples straight into the database (through the page's worker), so they check what the
// dashboard draws from storage on its own, without a poller: history first, live growth, ranges, themes.
// The endpoint is disabled, so the collector adds nothing, and the charts of a disabled endpoint stay visible.

/** An address nothing listens on (inside this suite's port range). */
const SILENT_URL = 'http://127.0.0.1:18259';

function frames(endpointId: number, from: number, count: number, stepMs = 1000): SampleFrame[] {
  return Array.from({ length: count }, (_, i) => ({
    endpointId,
    ts: from + i * stepMs,
    values: {
      prompt_tps: 400 + (i % 7), gen_tps: 30 + (i % 5), gen_tps_live: 28 + (i % 3),
      'llamacpp:requests_processing': i % 3, 'llamacpp:requests_deferred': 0, slots_busy: i % 3, slots_total: 2,
      'slot_ctx_fill{slot="0"}': (i % 100) / 100, 'slot_ctx_fill{slot="1"}': 0.25, uptime_s: i,
    },
  }));
}

async function addSilentEndpoint(page: Page): Promise<Endpoint> {
  return dbCall<Endpoint>(page, 'addEndpoint', {
    kind: 'llama', name: 'stored', url: SILENT_URL, apiKey: null, intervalMs: 60_000, enabled: false,
  });
}

const chart = (page: Page, title: string) => page.locator(`[data-testid=chart][data-title="${title}"]`);
const points = async (page: Page, title: string) => Number(await chart(page, title).getAttribute('data-points'));

test('with no endpoint the dashboard offers a form and the ?server= hint', async ({ page }) => {
  await openApp(page);
  await expect(page.getByRole('heading', { name: 'Point the dashboard at a llama-server' })).toBeVisible();
  await expect(page.getByText('?server=http://127.0.0.1:8080')).toBeVisible();
  await page.getByLabel('Base URL').fill('127.0.0.1:18258');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByTestId('endpoint-card')).toHaveCount(1);
  const list = await dbCall<Endpoint[]>(page, 'listEndpoints');
  expect(list.map((e) => [e.url, e.name, e.intervalMs])).toEqual([['http://127.0.0.1:18258', '127.0.0.1:18258', 1000]]);
});

test('?server= (repeatable) and ?exporter= add endpoints once; a bad address is refused in words', async ({ page }) => {
  await openApp(page);
  const query = '?server=http://127.0.0.1:18257/&server=127.0.0.1:18256&exporter=http://127.0.0.1:18255&server=ftp://x';
  await page.goto(`./${query}#/dashboard`);
  await expect(page.getByTestId('endpoint-card')).toHaveCount(2);
  await expect(page.getByTestId('endpoints-error')).toContainText('Ignored ?server=ftp://x');
  const kinds = async () => (await dbCall<Endpoint[]>(page, 'listEndpoints')).map((e) => `${e.kind} ${e.url}`).sort();
  const want = ['exporter http://127.0.0.1:18255', 'llama http://127.0.0.1:18256', 'llama http://127.0.0.1:18257'];
  expect(await kinds()).toEqual(want);
  await page.goto(`./${query}#/dashboard`);
  await expect(page.getByTestId('endpoint-card')).toHaveCount(2);
  expect(await kinds()).toEqual(want);
});

test('stored history is drawn on open, grows with new ticks, and follows the range picker', async ({ page }) => {
  await openApp(page);
  const ep = await addSilentEndpoint(page);
  const start = Date.now() - 300_000;
  await dbCall(page, 'saveFrames', frames(ep.id, start, 300));
  await page.reload();

  const tps = chart(page, 'Tokens per second');
  await expect(tps).toBeVisible();
  await expect.poll(() => points(page, 'Tokens per second')).toBeGreaterThanOrEqual(250);
  const before = await points(page, 'Tokens per second');
  const card = page.getByTestId('endpoint-card');
  await expect(card.getByTestId('slots')).toHaveText('2 / 2');
  await expect(card.getByTestId('gen-tps')).toHaveText('30 tok/s');

  // A new tick is appended to what is drawn (a 'frames' event), and the card shows its values.
  await dbCall(page, 'saveFrames', [{ endpointId: ep.id, ts: Date.now(), values: { gen_tps_live: 77, slots_busy: 1, slots_total: 2 } }]);
  await expect.poll(() => points(page, 'Tokens per second')).toBe(before + 1);
  await expect(card.getByTestId('gen-tps')).toHaveText('77 tok/s');
  await expect(card.getByTestId('slots')).toHaveText('1 / 2');

  // Context fill per slot: one line per slot.
  await expect(chart(page, 'Context fill per slot').locator('.u-legend .u-series')).toHaveCount(3);

  await page.getByRole('button', { name: '24 h' }).click();
  await expect(page.getByRole('button', { name: '24 h' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => points(page, 'Tokens per second')).toBeGreaterThan(0);

  await page.getByRole('button', { name: '10 min' }).click();
  // Dragging across a chart picks that stretch as a custom range, re-queried at full resolution.
  const box = (await tps.locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByRole('button', { name: 'Custom…' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => points(page, 'Tokens per second')).toBeGreaterThan(100);

  await page.getByRole('button', { name: 'Custom…' }).click();
  await page.getByLabel('From', { exact: true }).fill('2020-01-01T00:00');
  await page.getByLabel('To', { exact: true }).fill('2020-01-01T01:00');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect.poll(() => points(page, 'Tokens per second')).toBe(0);
  await expect(tps.getByText('No data in this range yet.')).toBeVisible();
});

test('with no cursor the legends show the newest values; a tick that repeats them leaves those cells as they are', async ({ page }) => {
  await openApp(page);
  const ep = await addSilentEndpoint(page);
  const history = frames(ep.id, Date.now() - 120_000, 120);
  await dbCall(page, 'saveFrames', history);
  await page.reload();
  await expect.poll(() => points(page, 'Tokens per second')).toBeGreaterThan(100);
  const legend = chart(page, 'Tokens per second').locator('.u-legend');
  const newest = history.at(-1)!;
  await expect(legend).toContainText(`${newest.values.prompt_tps} tok/s`);
  const timeCell = legend.locator('tr').first().locator('.u-value');
  const newestTime = await timeCell.textContent();

  // Each legend text change from here on, with the text it replaced.
  await page.evaluate(() => {
    const w = window as unknown as { __legendChanges: string[] };
    w.__legendChanges = [];
    new MutationObserver((list) => {
      for (const m of list) {
        const cell = m.target.parentElement;
        if (m.oldValue === m.target.nodeValue || !cell?.closest('.u-legend')) continue;
        const row = cell.closest('tr');
        w.__legendChanges.push(`${row?.rowIndex === 0 ? 'time' : 'value'} ${m.oldValue} -> ${m.target.nodeValue}`);
      }
    }).observe(document.body, { subtree: true, characterData: true, characterDataOldValue: true });
  });
  const before = await points(page, 'Tokens per second');
  await dbCall(page, 'saveFrames', [{ ...newest, ts: Date.now() }]);
  await expect.poll(() => points(page, 'Tokens per second')).toBe(before + 1);
  await expect(timeCell).not.toHaveText(newestTime!);
  const changes = await page.evaluate(() => (window as unknown as { __legendChanges: string[] }).__legendChanges);
  // Only the time moved on: no value went to a dash and back (each such change is laid out again).
  expect(changes.filter((c) => c.startsWith('value'))).toEqual([]);
  expect(changes.some((c) => c.startsWith('time'))).toBe(true);

  // Hovering shows the values under the cursor; leaving shows the newest again.
  const latestTime = await timeCell.textContent();
  const box = (await chart(page, 'Tokens per second').locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  await expect(timeCell).not.toHaveText(latestTime!);
  await page.mouse.move(0, 0);
  await expect(timeCell).toHaveText(latestTime!);
  await expect(legend).toContainText(`${newest.values.prompt_tps} tok/s`);
});

test('charts follow the dark theme and the keyboard moves the cursor across synced charts', async ({ page }) => {
  await openApp(page);
  const ep = await addSilentEndpoint(page);
  await dbCall(page, 'saveFrames', frames(ep.id, Date.now() - 120_000, 120));
  await page.reload();
  await expect.poll(() => points(page, 'Tokens per second')).toBeGreaterThan(100);

  const axisColour = () => chart(page, 'Requests').locator('.u-axis').first().evaluate((el) => getComputedStyle(el).color);
  const light = await axisColour();
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
  await expect.poll(axisColour).not.toBe(light);

  const plot = chart(page, 'Tokens per second').getByRole('group');
  await plot.focus();
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  // The legend of every chart shows the values at the cursor, with units, including the synced ones.
  await expect(chart(page, 'Tokens per second').locator('.u-legend')).toContainText('tok/s');
  await expect(chart(page, 'Context fill per slot').locator('.u-legend')).toContainText('25 %');
});

test('history query times for 10 minutes and 24 hours (printed)', async ({ page }) => {
  test.setTimeout(180_000);
  await openApp(page);
  const ep = await addSilentEndpoint(page);
  const now = Date.now();
  const day = 86_400;
  for (let i = 0; i < day; i += 7200) await dbCall(page, 'saveFrames', frames(ep.id, now - (day - i) * 1000, Math.min(7200, day - i)));
  await dbCall(page, 'runRetention');
  const keys = Object.keys(frames(ep.id, now, 1)[0].values);
  const timed = (spanMs: number) =>
    page.evaluate(async ([id, k, span, t]) => {
      const db = (window as unknown as { __llamaDash: { db: { history: (q: unknown) => Promise<{ ts: number[] }> } } }).__llamaDash.db;
      const runs: number[] = [];
      let n = 0;
      for (let r = 0; r < 5; r++) {
        const t0 = performance.now();
        n = (await db.history({ endpointId: id, keys: k, from: t - span, to: t, points: 1000 })).ts.length;
        runs.push(performance.now() - t0);
      }
      runs.sort((a, b) => a - b);
      return { median: runs[2], n };
    }, [ep.id, keys, spanMs, now] as const);
  const tenMin = await timed(600_000);
  const fullDay = await timed(day * 1000);
  console.log(`history 10 min: ${tenMin.median.toFixed(1)} ms, ${tenMin.n} points; 24 h: ${fullDay.median.toFixed(1)} ms, ${fullDay.n} points (${keys.length} keys)`);
  expect(tenMin.n).toBeGreaterThan(500);
  expect(fullDay.n).toBeGreaterThan(500);
  expect(tenMin.median).toBeLessThan(1000);
  expect(fullDay.median).toBeLessThan(3000);

  // The dashboard draws the day from the per-minute rollups (raw samples are kept for 2 h by default).
  await page.reload();
  await page.getByRole('button', { name: '24 h' }).click();
  const source = page.getByTestId('chart-source');
  await expect(source).toContainText('Per-minute rollups');
  await expect.poll(() => points(page, 'Tokens per second')).toBeGreaterThan(300);
  console.log(`dashboard, 24 h: ${await source.textContent()}`);
});
