import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { buildGguf, fileBytes } from '../fixtures/gguf/write-gguf.mjs';
import { dbCall, openApp, waitForDb } from './helpers';

const TINY = JSON.parse(readFileSync('tests/fixtures/llama-server/memory/models.json', 'utf8')).tiny as {
  metadata: Record<string, unknown>; tensors: { name: string; shape: number[]; type: string; n_bytes: number }[];
};
const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;

async function openConfig(page: Page, name: string) {
  await page.getByRole('button', { name, exact: true }).click();
  await expect(page.getByTestId('fit-panel')).toBeVisible();
}

test('picking a GGUF shows weights, KV cache and compute buffers, the verdict for the exporter\'s GPU, and all of it after a reload', async ({ page }) => {
  await openApp(page, 'models');
  // An exporter's latest sample with one GPU of 2 GiB, 1000 MiB of it in use (disabled: nothing polls it).
  const ex = await dbCall<{ id: number }>(page, 'addEndpoint', { kind: 'exporter', name: 'gpu box', url: 'http://127.0.0.1:9', apiKey: null, intervalMs: 1000, enabled: false });
  await dbCall(page, 'saveFrames', [{ endpointId: ex.id, ts: Date.now(), values: { 'gpu_mem_total_bytes{gpu="0"}': 2048 * MiB, 'gpu_mem_used_bytes{gpu="0"}': 1000 * MiB } }]);
  await dbCall(page, 'createModel', { name: 'tiny fit', family: '', type: 'chat', status: 'stopped', notes: '', args: { '--ctx-size': 4096, '--parallel': 2 }, extraArgs: [], catalogueId: null, endpointId: null, routerModel: null });
  await page.reload();
  await waitForDb(page);
  await openConfig(page, 'tiny fit');

  const gguf = buildGguf(TINY.metadata, TINY.tensors);
  await page.getByTestId('fit-file').setInputFiles({ name: 'tiny.gguf', mimeType: 'application/octet-stream', buffer: Buffer.from(fileBytes(gguf)) });

  // With -ngl left at auto every layer goes to the GPU; token_embd stays on the CPU (llama.cpp keeps the input layer there).
  const embd = TINY.tensors.find((t) => t.name === 'token_embd.weight')!.n_bytes;
  const all = TINY.tensors.reduce((a, t) => a + t.n_bytes, 0);
  const lines = async () => {
    await expect(page.getByTestId('fit-weights')).toContainText(`Weights: ${mib(all - embd)} on GPU, ${mib(embd)} on CPU`);
    // The real llama-server printed 2.00 MiB of KV cache for this model with -c 4096 -np 2 (tiny-c4096-np2.log).
    await expect(page.getByTestId('fit-kv')).toContainText('KV cache: 2.00 MiB');
    await expect(page.getByTestId('fit-compute')).toContainText(/Compute buffers: about \d+\.\d+ MiB/);
    await expect(page.getByTestId('fit-gpu')).toContainText(/GPU 0: needs [\d.]+ MiB of 1,048 MiB free —\s+fits/);
  };
  await lines();
  await expect(page.getByTestId('fit-file-line')).toContainText('tiny.gguf');

  await page.reload();
  await waitForDb(page);
  // The open configuration is in the address (#/models/<id>): the reload opens it again by itself.
  await expect(page.getByTestId('fit-panel')).toBeVisible();
  await lines();
});

test('a file that is not a GGUF gets a message in words', async ({ page }) => {
  await openApp(page, 'models');
  await dbCall(page, 'createModel', { name: 'bad file', family: '', type: 'chat', status: 'stopped', notes: '', args: {}, extraArgs: [], catalogueId: null, endpointId: null, routerModel: null });
  await page.reload();
  await waitForDb(page);
  await openConfig(page, 'bad file');
  await page.getByTestId('fit-file').setInputFiles({ name: 'notes.gguf', mimeType: 'text/plain', buffer: Buffer.from('just some text') });
  await expect(page.getByTestId('fit-panel').getByRole('alert')).toHaveText('notes.gguf is not a GGUF file (it does not start with "GGUF")');
  await expect(page.getByTestId('fit-weights')).toHaveCount(0);
});

test('a split model is read from all its parts, and one part alone asks for the rest', async ({ page }) => {
  await openApp(page, 'models');
  await dbCall(page, 'createModel', { name: 'split', family: '', type: 'chat', status: 'stopped', notes: '', args: { '--ctx-size': 4096, '--parallel': 2 }, extraArgs: [], catalogueId: null, endpointId: null, routerModel: null });
  await page.reload();
  await waitForDb(page);
  await openConfig(page, 'split');
  const half = Math.ceil(TINY.tensors.length / 2);
  const parts = [TINY.tensors.slice(0, half), TINY.tensors.slice(half)].map((tensors, i) => {
    const g = buildGguf({ ...TINY.metadata, 'split.no': i, 'split.count': 2 }, tensors);
    return { name: `tiny-0000${i + 1}-of-00002.gguf`, mimeType: 'application/octet-stream', buffer: Buffer.from(fileBytes(g)) };
  });
  await page.getByTestId('fit-file').setInputFiles(parts[1]);
  await expect(page.getByTestId('fit-panel').getByRole('alert')).toContainText('split in 2 parts');
  await page.getByTestId('fit-file').setInputFiles(parts);
  await expect(page.getByTestId('fit-kv')).toContainText('KV cache: 2.00 MiB');
  await expect(page.getByTestId('fit-file-line')).toContainText('tiny-00001-of-00002.gguf and 1 more part (');
});
