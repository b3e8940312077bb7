/**
 * The exporter's snapshot stream (GET /api/v1/stream): one response kept open, a JSON snapshot per line.
 * The exporter poller takes the newest line at each tick instead of asking for a snapshot: in Chromium a
 * line on an open response wakes a third as many threads as a request does, and on a small machine each
 * wake-up costs more CPU than the work it brings. Asking stays the fallback: whenever the stream has no
 * fresh line (not open yet, closed, an exporter without it, a proxy holding lines back), the tick asks.
 */
import { joinUrl } from '../lib/base-url';
import { authHeaders, type HttpEnv } from '../lib/http-request';
import { MAX_BODY_BYTES } from '../lib/limits';
import type { StreamLine } from './metrics-relay';

export const STREAM_PATH = '/api/v1/stream';
/**
 * How old a streamed line, or a body it carries, may be and still stand in for asking, at a poll interval
 * of `intervalMs`: from the last two intervals it is as fresh as an answer to a request would be.
 */
export const freshWithinMs = (intervalMs: number): number => 2 * intervalMs + 500;

/** After a stream failed or ended, the wait before it is opened again (ticks ask meanwhile). */
export const STREAM_RETRY_MS = 30_000;

export interface SnapshotStreamOptions {
  env: HttpEnv;
  baseUrl: string;
  apiKey: string | null;
  /** The poll interval: the exporter sends a line that often. */
  everyMs: number;
  /** Ends the stream for good (the poller stopped). */
  signal: AbortSignal;
  now: () => number;
}

export class SnapshotStream {
  readonly #o: SnapshotStreamOptions;
  #reading: AbortController | null = null;
  #latest: StreamLine | null = null;
  /** The exporter has no stream (older than this dashboard): it is not asked again. */
  #unsupported = false;
  #retryAt = -Infinity;

  constructor(o: SnapshotStreamOptions) {
    this.#o = o;
  }

  /** The newest line, parsed, when it arrived within `maxAgeMs`; null otherwise (the tick asks instead). */
  latest(maxAgeMs: number): unknown {
    const l = this.#latest;
    return l && this.#o.now() - l.at <= maxAgeMs ? l.value : null;
  }

  /** The newest line and when it arrived, however old (for the llama pollers' relay, collect/metrics-relay.ts). */
  newest(): StreamLine | null {
    return this.#latest;
  }

  /** Opens the stream in the background, unless it is open, unsupported, or failed less than a while ago. */
  open(): void {
    if (this.#reading || this.#unsupported || this.#o.signal.aborted || this.#o.now() < this.#retryAt) return;
    const reading = new AbortController();
    this.#reading = reading;
    void this.#read(reading).finally(() => {
      reading.abort();
      if (this.#reading !== reading) return;
      this.#reading = null;
      this.#latest = null;
      this.#retryAt = this.#o.now() + STREAM_RETRY_MS;
    });
  }

  async #read(reading: AbortController): Promise<void> {
    const o = this.#o;
    try {
      const res = await o.env.fetch(joinUrl(o.baseUrl, `${STREAM_PATH}?every=${o.everyMs}`), {
        headers: authHeaders(o.apiKey), signal: AbortSignal.any([reading.signal, o.signal]), cache: 'no-store',
      });
      if (res.status === 404 || res.status === 405) this.#unsupported = true;
      if (!res.ok || !res.body) return void (await res.body?.cancel().catch(() => undefined));
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        const end = buf.lastIndexOf('\n');
        if (end < 0) {
          // A line that never ends is not a snapshot: stop before it fills the memory.
          if (buf.length > MAX_BODY_BYTES) return void (await reader.cancel().catch(() => undefined));
          continue;
        }
        // Only the newest complete line matters; older ones that came in the same read are skipped.
        const line = buf.slice(buf.lastIndexOf('\n', end - 1) + 1, end);
        buf = buf.slice(end + 1);
        try {
          this.#latest = { value: JSON.parse(line), at: o.now() };
        } catch {
          // A line that is not JSON: the next tick asks for a snapshot and says what is wrong with it.
          this.#latest = null;
        }
      }
    } catch {
      // Stopped, refused or cut: the ticks ask meanwhile, and say why when asking fails too.
    }
  }
}
