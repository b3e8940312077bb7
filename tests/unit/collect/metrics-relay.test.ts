import { describe, expect, it } from 'vitest';
import { countersBehind, MetricsRelay, type StreamLine } from '../../../src/collect/metrics-relay';
import type { WatchedServer } from '../../../src/lib/exporter-llama';
import { endpoint } from './harness';

const URL = 'http://127.0.0.1:8080';
const watched = (patch: Partial<WatchedServer> = {}): WatchedServer => ({
  url: URL, health: 'up', message: null, build: 'b1 (abc)', model: 'm.gguf', isRouter: false, intervalMs: 1000,
  lastOkTs: 10_000, from: 0, to: 10_000, metrics: { ts: 9_800, text: 'llamacpp:requests_processing 0\n' }, ...patch,
});
/** A stream line from an exporter whose clock reads `snapTs` when it sent it, arrived here at `at`. */
const line = (at: number, snapTs: number, llama: unknown[]): StreamLine => ({ at, value: { ts: snapTs, llama } });
const target = { endpoint: endpoint(URL, { id: 7 }), build: 'b1 (abc)', model: 'm.gguf' };

describe('MetricsRelay', () => {
  it('finds the body of the same server and says when it was read, on this computer\'s clock', () => {
    const relay = new MetricsRelay(() => null);
    // The exporter's clock is an hour behind: the age comes from each clock on its own.
    relay.offer(2, () => line(50_000, 10_000 - 3_600_000 + 0, [watched({ metrics: { ts: 9_800 - 3_600_000, text: 'x 1\n' } })]));
    const b = relay.find(target, 50_300, 2500);
    expect(b).toEqual({ text: 'x 1\n', readAt: 50_300 - 300 - 200, key: `2@${9_800 - 3_600_000}`, exporterId: 2 });
  });

  it('takes nothing stale, of another build or model, of a router, of a server not up, or of another address', () => {
    const relay = new MetricsRelay(() => null);
    let w = watched();
    let at = 50_000;
    relay.offer(2, () => line(at, 10_000, [w]));
    expect(relay.find(target, 50_000, 2500)).not.toBeNull();
    at = 47_000;
    expect(relay.find(target, 50_000, 2500)).toBeNull();
    at = 50_000;
    for (const patch of [{ build: 'b2 (def)' }, { model: 'other.gguf' }, { isRouter: true }, { health: 'loading' as const }, { url: 'http://127.0.0.1:8081' }, { metrics: null }, { metrics: undefined }]) {
      w = watched(patch);
      expect(relay.find(target, 50_000, 2500), JSON.stringify(patch)).toBeNull();
    }
  });

  it('follows a hand-made link to the address the exporter uses, and picks the freshest of two exporters', () => {
    const relay = new MetricsRelay((id) => (id === 7 ? { exporterId: 3, url: 'http://10.0.0.5:8080' } : null));
    const far = { ...target, endpoint: endpoint('http://gpu-box:8080', { id: 7 }) };
    relay.offer(2, () => line(50_000, 10_000, [watched({ url: 'http://gpu-box:8080' })]));
    relay.offer(3, () => line(50_000, 10_000, [watched({ url: 'http://10.0.0.5:8080', metrics: { ts: 9_900, text: 'y 2\n' } })]));
    // Linked by hand: only exporter 3 covers it, whatever exporter 2 calls its server.
    expect(relay.find(far, 50_000, 2500)?.exporterId).toBe(3);
    const both = new MetricsRelay(() => null);
    both.offer(2, () => line(50_000, 10_000, [watched()]));
    both.offer(3, () => line(50_000, 10_000, [watched({ metrics: { ts: 9_950, text: 'z 3\n' } })]));
    expect(both.find(target, 50_000, 2500)?.text).toBe('z 3\n');
  });

  it('ignores what is not a snapshot, and forgets an exporter that withdrew', () => {
    const relay = new MetricsRelay(() => null);
    relay.offer(1, () => ({ at: 50_000, value: 'garbage' }));
    relay.offer(2, () => null);
    relay.offer(4, () => line(50_000, 10_000, [{ url: URL }, null, watched({ metrics: { ts: 'x', text: 1 } as never })]));
    const withdraw = relay.offer(5, () => line(50_000, 10_000, [watched()]));
    expect(relay.find(target, 50_000, 2500)?.exporterId).toBe(5);
    withdraw();
    expect(relay.find(target, 50_000, 2500)).toBeNull();
  });
});

describe('countersBehind', () => {
  const body = (prompt: number, predicted: number) => `# TYPE llamacpp:prompt_tokens_total counter\nllamacpp:prompt_tokens_total ${prompt}\nllamacpp:tokens_predicted_total ${predicted}\nllamacpp:requests_processing 0\n`;
  const last = { 'llamacpp:prompt_tokens_total': 120, 'llamacpp:tokens_predicted_total': 40, 'llamacpp:requests_processing': 3, up: 1 };

  it('passes a body whose counters are level with or past the last tick\'s, whatever its gauges say', () => {
    expect(countersBehind(body(120, 40), last)).toBe(false);
    expect(countersBehind(body(130, 41), last)).toBe(false);
    expect(countersBehind(body(0, 0), {})).toBe(false);
  });

  it('stops a body read before a request finished, a restarted server\'s, and one without the counters', () => {
    expect(countersBehind(body(120, 39), last)).toBe(true);
    expect(countersBehind(body(0, 0), last)).toBe(true);
    expect(countersBehind('llamacpp:requests_processing 0\n', last)).toBe(true);
    expect(countersBehind('not metrics at all', last)).toBe(true);
  });
});
