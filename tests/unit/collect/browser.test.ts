// The collector's testConnection in real Chromium against stand-ins: real CORS, real preflights with an
// Authorization header, and the no-cors probe that tells a CORS refusal from a server that is not there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from '@playwright/test';
import { standIn, type StandIn } from './harness';
import type { EndpointStatus } from '../../../src/lib/types';

const PAGE_PORT = 18185;
let browser: Browser;
let page: Page;
let pageServer: http.Server;
const servers: StandIn[] = [];

beforeAll(async () => {
  const bundle = await build({
    stdin: {
      contents: `import { createCollector } from './src/collect/collector';
        const c = createCollector({ listEndpoints: () => [], saveFrames() {}, emit() {}, timeoutMs: 2000 });
        window.testConnection = (url, apiKey) =>
          c.testConnection({ kind: 'llama', name: 't', url, apiKey, intervalMs: 1000, enabled: true });`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    write: false,
  });
  const js = bundle.outputFiles[0].text;
  pageServer = http.createServer((req, res) => {
    if (req.url === '/app.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(js);
    else res.writeHead(200, { 'Content-Type': 'text/html' }).end('<script src="/app.js"></script>');
  });
  await new Promise<void>((r) => pageServer.listen(PAGE_PORT, '127.0.0.1', r));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${PAGE_PORT}/`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.close()));
  await new Promise((r) => pageServer?.close(r));
});

const probe = (url: string, apiKey: string | null = null): Promise<EndpointStatus> =>
  page.evaluate(([u, k]) => (window as unknown as { testConnection: (u: string, k: string | null) => Promise<EndpointStatus> }).testConnection(u, k), [url, apiKey] as const);

async function server(opts: Record<string, unknown>) {
  const s = await standIn({ traffic: 'idle', ...opts });
  servers.push(s);
  return s;
}

describe('collector in Chromium', () => {
  it('reads a server that needs a key, through the CORS preflight', async () => {
    const s = await server({ apiKey: 'secret123' });
    const ok = await probe(s.url, 'secret123');
    expect(ok.state).toBe('ok');
    expect(ok.info.model).toBe('tiny.gguf');
    const refused = await probe(s.url, null);
    expect(refused.message).toMatch(/needs an API key/);
  });

  it('names a CORS refusal as such, and a missing server as unreachable', async () => {
    const s = await server({});
    s.control({ corsOrigin: 'https://dash.example.net' });
    const cors = await probe(s.url);
    expect(cors.state).toBe('down');
    expect(cors.message).toMatch(/blocked the response \(CORS\).*http:\/\/127\.0\.0\.1:18185/);
    const gone = await probe('http://127.0.0.1:1');
    expect(gone.message).toMatch(/Cannot reach 127\.0\.0\.1:1\b/);
  });
});
