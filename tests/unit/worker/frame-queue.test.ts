import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameQueue, framesEvent, type Submission } from '../../../src/worker/frame-queue';
import type { SampleFrame } from '../../../src/lib/types';

const INTERVAL = 1000;

function queue(opts: { failOn?: (s: Submission) => boolean } = {}) {
  const flushes: Submission[][] = [];
  /** When each flush happened (fake clock). */
  const at: number[] = [];
  const failures: unknown[] = [];
  const q = new FrameQueue({
    store: (batch) => {
      if (opts.failOn && batch.some(opts.failOn)) throw new Error('disk full');
    },
    stored: (batch) => {
      flushes.push(batch);
      at.push(Date.now());
    },
    failed: (e) => failures.push(e),
  }, { intervalMs: () => INTERVAL, now: Date.now });
  return { q, flushes, at, failures };
}

const frame = (endpointId: number, ts: number): SampleFrame => ({ endpointId, ts, values: { gen_tps: endpointId } });
/** The endpoints of a flush, in order. */
const ids = (batch: Submission[]) => batch.flatMap((s) => s.frames.map((f) => f.endpointId));

/** One poll of endpoint `id` that answers after `ms`: started now, its frame handed in and the poll ended then. */
function poll(q: FrameQueue, id: number, ms: number): void {
  const ended = q.pollStarted();
  setTimeout(() => {
    q.push([frame(id, Date.now())]);
    ended();
  }, ms);
}

describe('the frame queue: one commit and one event per tick', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stores the frames of every poll of a tick together, once the last poll has ended', async () => {
    const { q, flushes } = queue();
    for (const [id, ms] of [[1, 5], [2, 40], [3, 120], [4, 60]]) poll(q, id, ms);
    await vi.advanceTimersByTimeAsync(119);
    expect(flushes).toEqual([]);
    // A timer of 0 ms counts as 1 ms under fake timers.
    await vi.advanceTimersByTimeAsync(2);
    expect(flushes.map(ids)).toEqual([[1, 2, 4, 3]]);
  });

  it('a slow endpoint holds the others back half an interval at most, and its late frame goes out with the next tick, not on its own', async () => {
    const { q, flushes } = queue();
    poll(q, 1, 10);
    poll(q, 2, 20);
    poll(q, 3, 700);
    await vi.advanceTimersByTimeAsync(10 + INTERVAL / 2 + 1);
    expect(flushes.map(ids)).toEqual([[1, 2]]);
    // The next tick starts one interval after the first; the slow one answers in time now.
    await vi.advanceTimersByTimeAsync(INTERVAL - 10 - INTERVAL / 2 - 1);
    expect(flushes.map(ids)).toEqual([[1, 2]]);
    poll(q, 1, 10);
    poll(q, 2, 20);
    poll(q, 3, 30);
    await vi.advanceTimersByTimeAsync(INTERVAL / 2);
    expect(flushes.map(ids)).toEqual([[1, 2], [3, 1, 2, 3]]);
  });

  it('an endpoint that is always slow still costs one flush per tick, and nothing is lost or held an interval', async () => {
    const { q, flushes, at } = queue();
    const start = Date.now();
    for (let tick = 0; tick < 6; tick++) {
      poll(q, 1, 10);
      poll(q, 2, 700);
      await vi.advanceTimersByTimeAsync(INTERVAL);
    }
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    const ticks = at.map((t) => Math.floor((t - start) / INTERVAL));
    expect(new Set(ticks).size).toBe(ticks.length);
    const all = flushes.map(ids).flat();
    expect(all.filter((id) => id === 1)).toHaveLength(6);
    expect(all.filter((id) => id === 2)).toHaveLength(6);
    flushes.forEach((batch, i) => {
      for (const s of batch) expect(at[i] - s.frames[0].ts).toBeLessThanOrEqual(INTERVAL);
    });
  });

  it('a poll that ends without frames (a fast read) does not hold the tick back, and stores on demand', async () => {
    const { q, flushes } = queue();
    const fast = q.pollStarted();
    poll(q, 1, 10);
    fast();
    await vi.advanceTimersByTimeAsync(12);
    expect(flushes.map(ids)).toEqual([[1]]);
    q.push([frame(2, Date.now())]);
    q.flush();
    expect(flushes.map(ids)).toEqual([[1], [2]]);
    fast();
  });

  it('retries a failed window one submission at a time, so one bad frame costs the others nothing', async () => {
    const { q, flushes, failures } = queue({ failOn: (s) => s.frames.some((f) => f.endpointId === 2) });
    for (const id of [1, 2, 3]) poll(q, id, 5);
    await vi.advanceTimersByTimeAsync(7);
    expect(failures).toHaveLength(1);
    expect(flushes.map(ids)).toEqual([[1, 2, 3]]);
  });
});

describe('the frames event', () => {
  it('carries each endpoint\'s newest values and every stored event, with every endpoint named', () => {
    const ev = framesEvent([
      { frames: [frame(1, 1000), frame(1, 2000)] },
      { frames: [], events: [{ endpointId: 7, ts: 1500, kind: 'down' }] },
      { frames: [{ endpointId: 2, ts: 2000, values: { gen_tps: Number.NaN } }], events: [{ endpointId: 2, ts: 2000, kind: 'restart' }] },
    ], 3000);
    expect(ev.endpointIds.sort()).toEqual([1, 2, 7]);
    expect(ev.latest).toEqual([{ endpointId: 1, ts: 2000, values: { gen_tps: 1 } }, { endpointId: 2, ts: 2000, values: { gen_tps: null } }]);
    expect(ev.events.map((e) => e.kind)).toEqual(['down', 'restart']);
  });
});
