// Idle llama-server ticks read through the exporter that watches the same server (collect/metrics-relay.ts):
// the real collector polling the stand-in llama-server itself, and the built exporter as a process started
// with --llama watching the same stand-in, its snapshots streamed. The exporter reads with a key and the
// dashboard without, so the stand-in's log tells whose request each was.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_VERIFY_MS } from '../../../src/lib/limits';
import { KEYS } from '../../../src/lib/series-keys';
import type { RequestRecord } from '../../../src/lib/request-tracker';
import { endpoint, harness, standIn, waitFor, sleep, type StandIn } from '../collect/harness';
import { buildExporter, startExporter, type Running } from './harness';

let exporter: Running;
let llama: StandIn;
beforeAll(async () => {
  llama = await standIn({ traffic: 'idle', slots: 1 });
  exporter = await startExporter(buildExporter(), 18249, ['--interval', '250ms', '--nvidia-smi', 'off', '--llama', llama.url, '--llama-interval', '250ms'], {
    fake: false, env: { LLAMADASH_EXPORTER_LLAMA_KEYS: `${llama.url}=exporter-key` },
  });
});
afterAll(async () => {
  await exporter?.stop();
  await llama?.close();
});

let stop: (() => void) | null = null;
afterEach(() => stop?.());

/** The dashboard's own requests to the stand-in since `t` (the exporter's carry its key). */
const own = (path: string, t = 0) => llama.state().log.filter((l) => l.path === path && l.auth === null && l.t >= t).length;

function watch(records: RequestRecord[] = []) {
  const h = harness([
    endpoint(llama.url, { id: 1, intervalMs: 250 }),
    endpoint(exporter.base, { id: 2, kind: 'exporter', intervalMs: 250 }),
  ], { timeoutMs: 2000, page: { protocol: null, origin: null }, saveRequests: (_id, _model, r) => records.push(...r) });
  h.collector.sync();
  stop = () => h.collector.stop();
  const status = () => h.statuses.filter((s) => s.endpointId === 1).at(-1);
  const frames = (t: number) => h.frames.filter((f) => f.endpointId === 1 && f.ts >= t);
  return { ...h, status, frames };
}

describe('idle ticks through the exporter\'s stream', () => {
  it(`stores a sample every tick while asking the server itself only every ${RELAY_VERIFY_MS / 1000} s`, { timeout: 40_000 }, async () => {
    const w = watch();
    await waitFor(() => w.status()?.relayedBy === 2, 'the poller to take bodies from the exporter', 10_000);
    const t = Date.now();
    await sleep(RELAY_VERIFY_MS + 2000);
    const stored = w.frames(t);
    // 48 ticks in 12 s: each stored, each with the server's own counters in it.
    expect(stored.length).toBeGreaterThanOrEqual(40);
    expect(stored.every((f) => f.values[KEYS.up] === 1 && typeof f.values['llamacpp:tokens_predicted_total'] === 'number')).toBe(true);
    // The browser's own way to the server is checked at least once per RELAY_VERIFY_MS; a tick whose body was not
    // newer than the last one asks too, but far from every tick does.
    const asked = own('/metrics', t);
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(asked).toBeLessThan(stored.length / 4);
    expect(w.status()).toMatchObject({ state: 'ok', message: null, relayedBy: 2 });
  });

  it('reads the server itself as soon as requests run, and the request records come as before', { timeout: 40_000 }, async () => {
    const records: RequestRecord[] = [];
    const w = watch(records);
    await waitFor(() => w.status()?.relayedBy === 2, 'the poller to take bodies from the exporter', 10_000);
    const t = Date.now();
    llama.control({ generating: { tokens: 400 } });
    await waitFor(() => w.status()?.state === 'busy', 'the card to say busy', 5_000);
    await waitFor(() => own('/slots', t) >= 3, 'the dashboard\'s own /slots reads', 5_000);
    expect(w.status()?.relayedBy).toBeNull();
    llama.control({ generating: false });
    await waitFor(() => records.length > 0, 'a request record', 10_000);
    // Idle again: back to the exporter's bodies.
    await waitFor(() => w.status()?.relayedBy === 2, 'the poller to take bodies from the exporter again', 10_000);
  });

  it('a restart of the server while ticks come through the exporter is marked, with no negative rate', { timeout: 40_000 }, async () => {
    const w = watch();
    await waitFor(() => w.status()?.relayedBy === 2, 'the poller to take bodies from the exporter', 10_000);
    llama.control({ requests: 2 });
    await waitFor(() => w.status()?.relayedBy === 2 && w.frames(0).some((f) => (f.values['llamacpp:tokens_predicted_total'] ?? 0) > 0), 'finished requests, idle again', 15_000);
    llama.control({ restart: true });
    await waitFor(() => w.events.some((e) => e.endpointId === 1 && e.kind === 'restart'), 'a restart marker', 10_000);
    const rates = w.frames(0).flatMap((f) => Object.entries(f.values).filter(([k, v]) => k.endsWith('_rate') && v !== null && v < 0));
    expect(rates).toEqual([]);
  });
});
