import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { startStandIn } from '../fixtures/llama-stand-in.mjs';
import { waitForDb } from './helpers';

// `npm start` as a newcomer runs it (scripts/start.mjs, serving the real dist/ build): the exporter it starts
// watches the llama-server whose link it prints, so opening that link gives the server's card its idle figures
// from the exporter's stream ("via"), the setup that costs least to leave open. Ctrl-C stops both.
// Ports 4392 (dashboard) and 18391 (exporter) belong to this spec.
const PORT = 4392;
const EXPORTER_PORT = 18391;

interface StandIn { url: string; close(): Promise<void> }

test('npm start watches the llama-server it links to, and the card takes its idle figures from the exporter', async ({ page }) => {
  // start.mjs builds dist/ first when it is older than the sources (a minute or two here).
  test.setTimeout(240_000);
  const llama = (await startStandIn({ port: 0, traffic: 'idle', slots: 1 })) as StandIn;
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    env: { ...process.env, PORT: String(PORT), LLAMADASH_EXPORTER_PORT: String(EXPORTER_PORT), LLAMADASH_EXPORTER_LLAMA: llama.url, LLAMADASH_EXPORTER_NVIDIA_SMI: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await expect.poll(() => out, { timeout: 200_000, message: 'npm start did not start both' }).toContain(`watching ${llama.url} every 1000 ms`);
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${PORT}/`).catch(() => null))?.status).toBe(200);
    const link = /^Open (\S+)$/m.exec(out)?.[1];
    expect(link, out).toBe(`http://127.0.0.1:${PORT}/?exporter=http://127.0.0.1:${EXPORTER_PORT}&server=${llama.url}`);

    await page.goto(link!);
    await waitForDb(page);
    const card = page.getByTestId('endpoint-card');
    await expect(card).toHaveCount(1);
    await expect(card.getByTestId('relayed-by')).toHaveText(`via 127.0.0.1:${EXPORTER_PORT}`, { timeout: 20_000 });
  } finally {
    child.kill('SIGTERM');
    await exited;
    await llama.close();
  }
  // Stopping npm start stopped the exporter and the dashboard's server too.
  await expect(fetch(`http://127.0.0.1:${EXPORTER_PORT}/healthz`)).rejects.toThrow();
  await expect(fetch(`http://127.0.0.1:${PORT}/`)).rejects.toThrow();
});
