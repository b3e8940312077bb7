/**
 * Byte-range readers over a picked file (File.slice: only the ranges asked for are read from disk) and
 * over a URL that honours HTTP Range requests (a server that ignores Range is refused at once, before it
 * can send a whole model).
 */
import type { ModelSource } from '../lib/gguf-model';

/** A picked file as a model source. */
export function fileSource(file: File): ModelSource {
  return {
    name: file.name, size: file.size, lastModified: file.lastModified,
    read: async (offset, length) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()),
  };
}

async function rangeGet(url: string, offset: number, length: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; res: Response }> {
  const ctl = new AbortController();
  signal?.addEventListener('abort', () => ctl.abort());
  const res = await fetch(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` }, signal: ctl.signal });
  if (res.status === 416) return { bytes: new Uint8Array(0), res };
  if (res.status !== 206) {
    ctl.abort();
    throw new Error(res.ok
      ? `${url} answered the whole file instead of a byte range: the server does not allow range requests, so download the file and pick it instead`
      : `${url} answered ${res.status} ${res.statusText}`.trim());
  }
  return { bytes: new Uint8Array(await res.arrayBuffer()), res };
}

/** A model file at a URL as a model source; its size and date come from the first range response. */
export async function urlSource(url: string, signal?: AbortSignal): Promise<ModelSource> {
  const first = await rangeGet(url, 0, 256 * 1024, signal);
  const total = first.res.headers.get('Content-Range')?.match(/\/(\d+)$/)?.[1];
  if (!total) throw new Error(`${url} did not say the file's size (no Content-Range header readable by this page; a CORS server must expose it)`);
  const modified = Date.parse(first.res.headers.get('Last-Modified') ?? '');
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || url);
  return {
    name, size: Number(total), lastModified: Number.isFinite(modified) ? modified : null,
    read: async (offset, length) => {
      if (offset + length <= first.bytes.length) return first.bytes.subarray(offset, offset + length);
      return (await rangeGet(url, offset, length, signal)).bytes;
    },
  };
}
