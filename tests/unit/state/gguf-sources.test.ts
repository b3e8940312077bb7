import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModel } from '../../../src/lib/gguf-model';
import { fileSource, urlSource } from '../../../src/state/gguf-sources';
import { buildGguf, fileBytes } from '../../fixtures/gguf/write-gguf.mjs';

const META = { 'general.architecture': 'llama', 'llama.block_count': 1, 'llama.embedding_length': 64, 'llama.attention.head_count': 4 };
const GGUF = buildGguf(META, [{ name: 'token_embd.weight', shape: [64, 4000], type: 'F16' }, { name: 'blk.0.attn_q.weight', shape: [64, 64], type: 'F16' }]);
const BYTES = fileBytes(GGUF);

let server: Server;
let base = '';
const served: string[] = [];

beforeAll(async () => {
  // A real HTTP server: /ranged.gguf honours Range like a static file server, /plain.gguf ignores it.
  server = createServer((req, res) => {
    served.push(`${req.url} ${req.headers.range ?? ''}`);
    const m = req.headers.range?.match(/^bytes=(\d+)-(\d+)$/);
    if (req.url === '/ranged.gguf' && m) {
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), BYTES.length - 1);
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${BYTES.length}`, 'Last-Modified': 'Wed, 21 Oct 2026 07:28:00 GMT' });
      res.end(BYTES.subarray(start, end + 1));
    } else if (req.url === '/plain.gguf') {
      res.writeHead(200, { 'Content-Length': BYTES.length });
      res.end(BYTES);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('model sources', () => {
  it('reads a model by URL through Range requests, with its size and date', async () => {
    const src = await urlSource(`${base}/ranged.gguf`);
    expect(src).toMatchObject({ name: 'ranged.gguf', size: BYTES.length, lastModified: Date.parse('Wed, 21 Oct 2026 07:28:00 GMT') });
    const m = await readModel([src]);
    expect(m.tensors.map((t) => t.name)).toEqual(['token_embd.weight', 'blk.0.attn_q.weight']);
    expect(served.filter((s) => s.startsWith('/ranged')).every((s) => s.includes('bytes='))).toBe(true);
  });

  it('refuses a server that ignores Range instead of downloading the whole file', async () => {
    await expect(urlSource(`${base}/plain.gguf`)).rejects.toThrow('does not allow range requests');
    await expect(urlSource(`${base}/missing.gguf`)).rejects.toThrow('answered 404');
  });

  it('reads a picked file through File.slice', async () => {
    const file = new File([BYTES], 'picked.gguf', { lastModified: 1234 });
    const m = await readModel([fileSource(file)]);
    expect(m.files).toEqual([{ name: 'picked.gguf', size: BYTES.length, lastModified: 1234 }]);
  });
});
