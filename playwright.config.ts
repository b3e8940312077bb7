import { defineConfig } from '@playwright/test';

// E2E runs the test build of the app (E2E_DIST, default dist-test/ from `npm run build:test`: the
// default dist/ carries no test hooks) on `vite preview` in Debian's Chromium: Playwright cannot
// download its own browsers here. Set here, before the workers start, so every spec reads the same.
const port = Number(process.env.E2E_PORT ?? 4173);
const dist = (process.env.E2E_DIST ??= 'dist-test');
export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? 'list' : 'line',
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `npx vite preview --outDir ${dist} --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
