import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitForDb } from './helpers';

// The built app served over https (a self-signed certificate made here with openssl, accepted by the
// browser context) and a Prometheus the user adds at a plain http:// LAN address: the browser would block
// every request to it (mixed content), and the page must say so in words with what to do. No request
// leaves for that address, so nothing needs to listen there.
const dist = path.resolve(process.env.E2E_DIST ?? 'dist-test');
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.webmanifest': 'application/manifest+json', '.json': 'application/json',
};

let server: Server;
let base: string;
let certDir: string;

test.beforeAll(async () => {
  certDir = mkdtempSync(path.join(tmpdir(), 'llamadash-tls-'));
  const [key, cert] = [path.join(certDir, 'key.pem'), path.join(certDir, 'cert.pem')];
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const file = path.join(dist, decodeURIComponent(new URL(req.url ?? '/', 'https://x').pathname).replace(/\/$/, '/index.html'));
    if (!file.startsWith(dist)) return void res.writeHead(403).end();
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
});

test.afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(certDir, { recursive: true, force: true });
});

test('an https dashboard says in words that the browser blocks an http Prometheus, and what to do', async ({ browser }) => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    await page.goto(`${base}#/dashboard`);
    await waitForDb(page);
    const form = page.getByRole('form', { name: 'Add an endpoint' });
    await form.getByLabel('Kind').selectOption('prometheus');
    await form.getByLabel('Base URL').fill('http://192.168.77.10:9090');
    await form.getByRole('button', { name: 'Add endpoint' }).click();

    await page.goto(`${base}#/fleet`);
    const alert = page.getByTestId('prometheus-source').getByRole('alert');
    await expect(alert).toContainText('This dashboard is open over https, and browsers do not let an https page fetch a plain http:// address like http://192.168.77.10:9090 (mixed content).');
    await expect(alert).toContainText('Open the dashboard over http (for example from http://localhost), or give Prometheus an https:// address');
  } finally {
    await context.close();
  }
});
