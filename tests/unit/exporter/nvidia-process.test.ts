import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, buildExporter, startExporter, waitFor, type Running } from './harness';

// The exporter as users run it (the built .mjs), with the stand-in nvidia-smi first on PATH.
let file: string;
const running: Running[] = [];
beforeAll(() => {
  file = buildExporter();
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
});

async function start(port: number, control: Record<string, unknown>, args: string[] = ['--interval', '250ms']) {
  const r = await startExporter(file, port, args, { control });
  running.push(r);
  return r;
}

const snapshot = (r: Running) => r.json('/api/v1/snapshot');
const streams = (r: Running) => r.starts().filter((x) => x.args.includes('-lms'));
const nvidia = (s: any) => s.sources.find((x: any) => x.name === 'nvidia-smi');

describe('streaming nvidia-smi', () => {
  it('serves the stand-in GPUs from one long-running process, and history grows', async () => {
    const r = await start(18200, { mode: 'ok', gpus: 2, util: 37 });
    await waitFor(async () => (await snapshot(r)).gpus.length === 2, 10_000, () => 'two GPUs');
    const s = await snapshot(r);
    expect(s.gpus[0]).toMatchObject({ id: '0', vendor: 'nvidia', name: 'NVIDIA Stand-in 0', utilPct: 37, tempC: 50, powerW: 120.5,
      memTotalBytes: 24576 * 1024 ** 2, fanPct: 40, migMode: false, busId: '00000000:01:00.0' });
    expect(s.gpus[1]).toMatchObject({ id: '1', utilPct: 38, tempC: 51 });
    expect(nvidia(s)).toMatchObject({ state: 'ok', restarts: 0 });

    const h1 = await r.json('/api/v1/history?since=0');
    await new Promise((res) => setTimeout(res, 800));
    const h2 = await r.json('/api/v1/history?since=0');
    expect(h2.ts.length).toBeGreaterThan(h1.ts.length);
    expect(h2.series['gpu_util{gpu="1"}'].at(-1)).toBe(38);
    const newer = await r.json(`/api/v1/history?since=${h1.ts.at(-1)}`);
    expect(newer.ts.every((t: number) => t > h1.ts.at(-1))).toBe(true);

    await Promise.all(Array.from({ length: 20 }, () => r.get('/metrics').then((x) => x.text())));
    const starts = r.starts();
    expect(starts).toHaveLength(1);
    expect(starts[0].args).toContain('--format=csv,noheader,nounits');
    expect(starts[0].args).toContain('-lms 250');
  });

  it('restarts a dying nvidia-smi with growing delays, then recovers', async () => {
    const r = await start(18201, { mode: 'ok', gpus: 1 });
    await waitFor(async () => (await snapshot(r)).gpus.length === 1, 10_000);
    r.control({ mode: 'die' });
    await waitFor(() => streams(r).length >= 4, 20_000, () => `four starts, got ${streams(r).length}`);
    const s = await snapshot(r);
    expect(s.gpus).toEqual([]);
    expect(nvidia(s).state).toBe('restarting');
    expect(nvidia(s).message).toContain('Driver/library version mismatch');
    const at = streams(r).map((x) => x.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    // The first gap includes the healthy run; then waits of at least 2 s and 4 s. (Comparing the gaps
    // with each other would depend on how fast node starts the stand-in on a loaded machine.)
    expect(gaps[1]).toBeGreaterThanOrEqual(2000);
    expect(gaps[2]).toBeGreaterThanOrEqual(4000);

    r.control({ mode: 'ok', gpus: 1 });
    // A one-shot probe may bring the GPU back before the next stream does; 'ok' needs the stream.
    await waitFor(async () => {
      const now = await snapshot(r);
      return now.gpus.length === 1 && nvidia(now).state === 'ok';
    }, 20_000, () => 'GPU back from a new stream');
    expect(nvidia(await snapshot(r)).restarts).toBeGreaterThanOrEqual(3);
  });

  it('kills and restarts an nvidia-smi that hangs', async () => {
    const r = await start(18202, { mode: 'ok', gpus: 1 });
    await waitFor(async () => (await snapshot(r)).gpus.length === 1, 10_000);
    const first = r.starts()[0].pid;
    r.control({ mode: 'hang' });
    await waitFor(() => !alive(first), 15_000, () => 'the hung process to be killed');
    await waitFor(async () => /hung/.test(nvidia(await snapshot(r)).message ?? ''), 5000, () => 'a status saying it hung');
    r.control({ mode: 'ok', gpus: 1 });
    await waitFor(async () => (await snapshot(r)).gpus.length === 1 && streams(r).length === 2, 15_000, () => 'a second process with rows');
  });

  it('reports [N/A] and [Not Supported] as null, and leaves them out of /metrics', async () => {
    const r = await start(18203, { mode: 'na', gpus: 1 });
    await waitFor(async () => (await snapshot(r)).gpus.length === 1, 10_000);
    const [g] = (await snapshot(r)).gpus;
    expect(g).toMatchObject({ utilPct: null, tempC: null, powerW: null, powerLimitW: null, fanPct: null, memTotalBytes: 24576 * 1024 ** 2 });
    const history = await r.json('/api/v1/history?since=0');
    expect(history.series['gpu_util{gpu="0"}'].filter((v: number | null) => v !== null)).toEqual([]);
    const metrics = await (await r.get('/metrics')).text();
    expect(metrics).toMatch(/^llamadash_gpu_memory_total_bytes\{gpu="0",.*\} 25769803776$/m);
    expect(metrics).not.toMatch(/^llamadash_gpu_utilization_ratio/m);
    expect(metrics).not.toMatch(/^llamadash_gpu_power_watts/m);
  });

  it('falls back to the basic fields when an old driver refuses optional ones', async () => {
    const r = await start(18204, { mode: 'bad-field', gpus: 1 });
    await waitFor(async () => (await snapshot(r)).gpus.length === 1, 10_000);
    const [g] = (await snapshot(r)).gpus;
    expect(g).toMatchObject({ utilPct: 37, busId: '', fanPct: null, migMode: null });
    expect(r.starts().at(-1)!.args).not.toContain('mig.mode.current');
  });

  it('lists MIG devices and keeps the parent utilisation unknown', async () => {
    const r = await start(18205, { mode: 'ok', gpus: 1, mig: true });
    await waitFor(async () => (await snapshot(r)).gpus[0]?.migDevices.length === 2, 10_000, () => 'MIG devices');
    const [g] = (await snapshot(r)).gpus;
    expect(g).toMatchObject({ migMode: true, utilPct: null });
    expect(g.migDevices[0]).toEqual({ profile: '3g.40gb', index: 0, uuid: 'MIG-00000000-0000-0000-0000-000000000000' });
    expect(await (await r.get('/metrics')).text()).toMatch(/^llamadash_gpu_mig_devices\{gpu="0",.*\} 2$/m);
  });

  it('queries once per sample when streaming gives nothing but single queries work', async () => {
    const r = await start(18207, { mode: 'no-stream', gpus: 1 });
    await waitFor(async () => nvidia(await snapshot(r)).state === 'oneshot', 15_000, () => 'one-shot mode');
    await waitFor(async () => (await snapshot(r)).gpus.length === 1, 5000, () => 'GPU rows from single queries');
    const streamsThen = streams(r).length;
    const oneShotsThen = r.starts().length - streamsThen;
    await new Promise((res) => setTimeout(res, 1500));
    expect(streams(r).length).toBe(streamsThen);
    expect(r.starts().length - streamsThen).toBeGreaterThan(oneShotsThen);
    expect((await snapshot(r)).gpus[0]).toMatchObject({ utilPct: 37 });
  });

  it('kills its nvidia-smi when it exits', async () => {
    const r = await start(18206, { mode: 'ok', gpus: 1 });
    await waitFor(() => r.starts().length === 1, 10_000);
    const pid = r.starts()[0].pid;
    expect(alive(pid)).toBe(true);
    await r.stop();
    await waitFor(() => !alive(pid), 5000, () => 'nvidia-smi to be gone');
  });
});
