// Bundles exporter/main.ts into one dependency-free ES module for Node >= 20.
// Runs after `vite build`, so the file lands inside the built site (offered for download there).
// Usage: node scripts/build-exporter.mjs [--outfile PATH]
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const argAt = process.argv.indexOf('--outfile');
const outfile = argAt > 0 ? process.argv[argAt + 1] : 'dist/exporter/llama-dash-exporter.mjs';
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: [new URL('../exporter/main.ts', import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: { js: '#!/usr/bin/env node' },
  define: { __EXPORTER_VERSION__: JSON.stringify(version) },
  legalComments: 'none',
  logLevel: 'warning',
});
