import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApp, waitForDb } from './helpers';

const ARGV_PRINTER_DIR = resolve('tests/fixtures/argv-printer');

/** Finds a parameter through the form's search and returns its control (label = canonical flag). */
async function param(page: Page, key: string) {
  await page.getByLabel('Find a parameter').fill(key);
  return page.getByLabel(key, { exact: true });
}

/** Runs an exported POSIX command in the real bash with the argv-printing stand-in as llama-server. */
function runInBash(command: string, env: Record<string, string> = {}): string[] {
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', command], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: `${ARGV_PRINTER_DIR}:/usr/bin:/bin`, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim());
}

async function exportAs(page: Page, format: string): Promise<string> {
  await page.getByLabel('Export format').selectOption({ label: format });
  return page.getByTestId('export-text').inputValue();
}

test('a configuration made in the form validates at the field, exports for bash and docker, and survives a reload', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openApp(page, 'models');
  await page.getByRole('button', { name: 'New configuration' }).click();
  await page.getByLabel('Name').fill('qwen e2e');
  await page.getByLabel('Family').fill('qwen');

  const port = await param(page, '--port');
  await port.fill('70000');
  await expect(page.getByTestId('param---port')).toContainText('must be at most 65535');
  await expect(port).toHaveAttribute('aria-invalid', 'true');
  await port.fill('8081');
  await expect(page.getByTestId('param---port')).not.toContainText('must be at most');

  await (await param(page, '--batch-size')).fill('256');
  await (await param(page, '--ubatch-size')).fill('512');
  await expect(page.getByTestId('param---ubatch-size')).toContainText('must not exceed --batch-size (256)');
  await page.getByTestId('param---ubatch-size').getByRole('button', { name: /Fix: set --ubatch-size 256/ }).click();
  await expect(await param(page, '--ubatch-size')).toHaveValue('256');

  const tricky = `it's "$HOME" \`id\` !x ü`;
  await (await param(page, '--model')).fill('/models/Qwen3 8B/qwen3-8b-q4_k_m.gguf');
  await (await param(page, '--alias')).fill(tricky);
  await (await param(page, '--api-key')).fill('sk-secret-123');
  await (await param(page, '--ctx-size')).fill('8192');
  await (await param(page, '--flash-attn')).selectOption('on');
  await page.getByRole('button', { name: 'Add extra argument' }).click();
  await page.getByRole('textbox', { name: 'Extra argument 1', exact: true }).fill('--future-flag');

  await expect(page.getByTestId('config-issues')).toHaveText('No problems found for build b10573.');
  const saveStart = Date.now();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  console.log(`[measure] save through the form: ${Date.now() - saveStart} ms`);

  await page.getByRole('button', { name: 'Export…' }).click();
  const bash = await exportAs(page, 'Shell (one line)');
  expect(bash).not.toContain('sk-secret-123');
  expect(runInBash(bash, { LLAMA_API_KEY: 'from-env' })).toEqual([
    '--port', '8081', '--batch-size', '256', '--ubatch-size', '256', '--model', '/models/Qwen3 8B/qwen3-8b-q4_k_m.gguf',
    '--alias', tricky, '--api-key', 'from-env', '--ctx-size', '8192', '--flash-attn', 'on', '--future-flag',
  ]);
  const multi = await exportAs(page, 'Shell (multi-line)');
  expect(multi.split('\n').length).toBeGreaterThan(5);
  expect(runInBash(multi, { LLAMA_API_KEY: 'k' })).toEqual(runInBash(bash, { LLAMA_API_KEY: 'k' }));

  await page.getByLabel('Write secrets (API key, HF token) into the text').check();
  await expect(page.getByText('Secrets are written in clear text.')).toBeVisible();
  expect(runInBash(await exportAs(page, 'Shell (one line)'))).toContain('sk-secret-123');
  await page.getByLabel('Write secrets (API key, HF token) into the text').uncheck();

  await page.getByRole('button', { name: 'Copy to clipboard' }).click();
  await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(bash);

  // The program path is used as given: run it by absolute path with the printer off the PATH.
  await page.getByLabel('Program').fill(`${ARGV_PRINTER_DIR}/llama-server`);
  const byPath = await page.getByTestId('export-text').inputValue();
  expect(runInBash(byPath, { LLAMA_API_KEY: 'k', PATH: '/usr/bin:/bin' })).toEqual(runInBash(bash, { LLAMA_API_KEY: 'k' }));
  await page.getByLabel('Program').fill('');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: /^Download / }).click();
  const file = await (await download).path();
  expect(readFileSync(file, 'utf8')).toBe(await page.getByTestId('export-text').inputValue());

  const docker = await exportAs(page, 'docker run');
  expect(docker).toContain('docker run');
  expect(docker).toContain('ghcr.io/ggml-org/llama.cpp:server');
  expect(docker).toMatch(/-p\s+\S*8081:8081/);
  expect(docker).toContain('/models/Qwen3 8B');
  expect(docker).not.toContain('sk-secret-123');
  await page.getByLabel('Image').fill('localhost/llama.cpp:server-cuda');
  await expect(page.getByTestId('export-text')).toHaveValue(/localhost\/llama\.cpp:server-cuda/);

  // The open configuration is in the URL: a reload comes back to its editor.
  await page.reload();
  await waitForDb(page);
  await expect(page.getByLabel('Name')).toHaveValue('qwen e2e');
  await expect(await param(page, '--port')).toHaveValue('8081');
  await expect(await param(page, '--alias')).toHaveValue(tricky);
  await expect(page.getByRole('textbox', { name: 'Extra argument 1', exact: true })).toHaveValue('--future-flag');
  // Defaults are not stored: --ubatch-size 256 differs from 512 and stays; nothing else crept in.
  await page.getByLabel('Find a parameter').fill('');
  await page.getByLabel('Only parameters that are set').check();
  await expect(page.getByText('8 parameters')).toBeVisible();
});

test('a pasted command is understood flag by flag, saved, and found after a reload', async ({ page }) => {
  await openApp(page, 'models');
  await page.getByRole('button', { name: 'Import a command…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a launch command' });
  await dialog.getByLabel(/Paste the command/).fill(
    'LLAMA_ARG_CTX_SIZE=4096 ./llama-server \\\n  -m "/models/gemma 3/gemma-3-4b.gguf" -ngl 99 --port 8090 \\\n  --frobnicate 3 --no-webui --api-key "$MY_KEY"\n',
  );
  const understood = dialog.getByRole('table', { name: 'Understood arguments' });
  await expect(understood.getByRole('row', { name: /--ctx-size 4096/ })).toBeVisible();
  await expect(understood.getByRole('row', { name: /--model \/models\/gemma 3\/gemma-3-4b\.gguf/ })).toBeVisible();
  await expect(understood.getByRole('row', { name: /--gpu-layers 99/ })).toBeVisible();
  await expect(dialog.getByRole('list', { name: 'Extra arguments found' })).toContainText('--frobnicate');
  await expect(understood.getByRole('row', { name: /--ui off/ })).toBeVisible();
  await expect(dialog.getByRole('list', { name: 'Import warnings' })).toContainText('--frobnicate 3');
  await expect(dialog.getByLabel('Name for a new configuration')).toHaveValue('gemma-3-4b');
  await dialog.getByRole('button', { name: 'Save as new configuration' }).click();

  await expect(page.getByRole('heading', { name: 'Edit gemma-3-4b' })).toBeVisible();
  await expect(await param(page, '--gpu-layers')).toHaveValue('99');
  // The key given by reference stays an argument: the exported command still asks for one.
  await page.getByRole('button', { name: 'Export…' }).click();
  await expect(page.getByTestId('export-text')).toHaveValue(/--api-key "\$\{LLAMA_API_KEY:\?/);
  await page.getByRole('button', { name: 'Close' }).click();

  await page.reload();
  await waitForDb(page);
  await expect(page.getByRole('table', { name: 'Model configurations' }).getByRole('button', { name: 'gemma-3-4b', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'gemma-3-4b', exact: true }).click();
  await expect(await param(page, '--ctx-size')).toHaveValue('4096');
  await expect(page.getByRole('textbox', { name: 'Extra argument 1', exact: true })).toHaveValue('--frobnicate');
  await expect(page.getByRole('textbox', { name: 'Extra argument 2', exact: true })).toHaveValue('3');
});

test('an invalid configuration saves as a draft, export warns first, filters and delete all work', async ({ page }) => {
  await openApp(page, 'models');
  await page.getByRole('button', { name: 'New configuration' }).click();
  await page.getByLabel('Name').fill('broken');
  await (await param(page, '--ubatch-size')).fill('4096');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved as a draft: 2 errors left.' })).toBeVisible();
  await page.getByRole('button', { name: 'Export…' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'This configuration has 2 errors' })).toBeVisible();
  await expect(page.getByTestId('export-text')).toHaveCount(0);
  await page.getByRole('button', { name: 'Export anyway' }).click();
  await expect(page.getByTestId('export-text')).toHaveValue(/--ubatch-size 4096/);
  await page.getByRole('button', { name: 'Close' }).click();

  await page.getByRole('button', { name: 'New configuration' }).click();
  await page.getByLabel('Name').fill('embedder');
  await page.getByLabel('Type').fill('embedding');
  await (await param(page, '--hf-repo')).fill('ggml-org/embeddinggemma-300M-GGUF');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Duplicate embedder' }).click();
  await expect(page.getByRole('button', { name: 'embedder (copy)', exact: true })).toBeVisible();

  const count = page.getByTestId('model-count');
  await expect(count).toHaveText('3 of 3');
  await page.getByLabel('Status').selectOption('draft');
  await expect(count).toHaveText('1 of 3');
  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Type').selectOption('embedding');
  await expect(count).toHaveText('2 of 3');
  await page.getByLabel('Search').fill('copy');
  await expect(count).toHaveText('1 of 3');
  await page.getByLabel('Search').fill('');
  await page.getByLabel('Type').selectOption('');

  await page.getByRole('button', { name: 'Delete all…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(count).toHaveText('3 of 3');
  await page.getByRole('button', { name: 'Delete all…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete all' }).click();
  await expect(page.getByRole('heading', { name: 'No configurations yet' })).toBeVisible();
});

test('a whole llama-swap file is previewed model by model, imported with a name conflict resolved, opened by URL and exported as one file', async ({ page }) => {
  await openApp(page, 'models');
  await page.getByRole('button', { name: 'New configuration' }).click();
  await page.getByLabel('Name').fill('chat');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Saved/ })).toBeVisible();
  await expect(page).toHaveURL(/#\/models\/\d+$/);
  const url = page.url();
  await page.reload();
  await waitForDb(page);
  await expect(page.getByLabel('Name')).toHaveValue('chat');
  expect(page.url()).toBe(url);
  await page.goBack();
  await expect(page.getByRole('table', { name: 'Model configurations' })).toBeVisible();

  const file = [
    'macros:', '  ctx: 8192', 'models:',
    '  chat:', '    cmd: llama-server -m /m/chat.gguf -c ${ctx} --port ${PORT}', '    ttl: 300',
    '  embed:', '    cmd: |', '      llama-server -m /m/e.gguf', '      --embedding --frob 1', '    aliases: [e5]',
    'groups:', '  all:', '    swap: false', '    members: [chat, embed]', 'hooks:', '  on_startup:', '    preload: [chat]', '',
  ].join('\n');
  await page.getByRole('button', { name: 'Import a command…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a launch command' });
  await dialog.getByLabel(/Paste the command/).fill(file);
  const found = dialog.getByRole('table', { name: 'Models found' });
  await expect(found.locator('tbody tr')).toHaveCount(2);
  await expect(found.locator('tbody tr').first()).toContainText('--ctx-size 8192');
  await expect(found.locator('tbody tr').nth(1)).toContainText('Kept as extra arguments: --frob 1');
  await expect(dialog.getByTestId('kept-aside')).toContainText('hooks');
  await dialog.getByLabel('When chat exists').selectOption({ label: 'Replace the stored one' });
  await dialog.getByRole('button', { name: 'Import 2 configurations' }).click();
  const rows = page.getByRole('table', { name: 'Model configurations' }).locator('tbody tr');
  await expect(rows).toHaveCount(2);

  await page.getByRole('button', { name: 'Export several…' }).click();
  const exp = page.getByRole('dialog', { name: 'Export several configurations as one file' });
  await exp.getByLabel('Select a group').selectOption('all');
  const text = await exp.getByTestId('setup-export-text').inputValue();
  expect(text).toContain('ttl: 300');
  expect(text).toMatch(/embed:[\s\S]*--embedding[\s\S]*--frob 1/);
  expect(text).toMatch(/groups:\n\s+all:/);
  expect(text).toContain('on_startup');
});
