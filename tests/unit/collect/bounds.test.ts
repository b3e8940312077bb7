import { afterEach, describe, expect, it } from 'vitest';
import { endpoint, harness, sleep, standIn, waitFor, type StandIn } from './harness';
import { MAX_BODY_BYTES, MAX_SERIES, MAX_SLOTS } from '../../../src/lib/limits';

let server: StandIn | null = null;
let stopCollector: (() => void) | null = null;

afterEach(async () => {
  stopCollector?.();
  stopCollector = null;
  await server?.close();
  server = null;
});

/** A stand-in with these fault settings (control()) from the start, and a collector polling it. */
async function setup(control: Record<string, unknown>) {
  server = await standIn({ traffic: 'idle' });
  server.control(control);
  const h = harness([endpoint(server.url)], { timeoutMs: 5_000 });
  stopCollector = () => h.collector.stop();
  h.collector.sync();
  return h;
}

describe('what a server sends stays bounded', () => {
  it('stops reading a 50 MB /metrics at the limit and says so in words, while the endpoint stays up', async () => {
    const h = await setup({ huge: { path: '/metrics', mb: 50 } });
    const st = await waitFor(() => h.statuses.find((s) => /more than 4 MiB for \/metrics/.test(s.message ?? '')), 'a too-large message');
    expect(st.message).toMatch(/stopped reading it there/);
    h.collector.stop();
    await sleep(200);
    // What the server managed to write before the reader was cancelled: the cap plus socket buffers, far from 50 MB.
    expect(server!.state().hugeSent).toBeLessThan(MAX_BODY_BYTES + 8 * 1024 * 1024);
    expect(h.frames[h.frames.length - 1].values.up).toBe(1);
  });

  it('stops reading a 50 MB /slots at the limit', async () => {
    const h = await setup({ huge: { path: '/slots', mb: 50 } });
    await waitFor(() => h.statuses.find((s) => /more than 4 MiB for \/slots/.test(s.message ?? '')), 'a too-large message for /slots');
    h.collector.stop();
    await sleep(200);
    expect(server!.state().hugeSent).toBeLessThan(MAX_BODY_BYTES + 8 * 1024 * 1024);
  });

  it('believes at most MAX_SLOTS of a /props total_slots of 1e9', async () => {
    const h = await setup({ props: { total_slots: 1e9 } });
    const f = await waitFor(() => h.frames.find((x) => x.values.slots_total !== undefined), 'a frame with slots_total');
    expect(f.values.slots_total).toBe(MAX_SLOTS);
    expect(h.last().info.totalSlots).toBe(MAX_SLOTS);
  });

  it('stores at most MAX_SERIES keys of a server that invents new label values on every read, only llamacpp: ones, and says so', async () => {
    const h = await setup({ churn: 100 });
    const st = await waitFor(() => h.statuses.find((s) => /more than 512 series; only the first 512 are stored/.test(s.message ?? '')), 'the series-cap message');
    expect(st.state).toBe('ok');
    const n = h.frames.length;
    await waitFor(() => h.frames.length >= n + 3, 'three more frames');
    const keys = new Set(h.frames.flatMap((f) => Object.keys(f.values)));
    expect(keys.size).toBeLessThanOrEqual(MAX_SERIES);
    expect([...keys].some((k) => k.startsWith('proxy_requests_total'))).toBe(false);
    // What the dashboard shows keeps coming after the cap is reached.
    const last = h.frames[h.frames.length - 1].values;
    expect(last['llamacpp:prompt_tokens_total']).toBe(0);
    expect(last.up).toBe(1);
  });
});
