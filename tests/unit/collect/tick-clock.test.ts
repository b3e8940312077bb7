import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { nextPollAt, TickClock } from '../../../src/collect/tick-clock';
import { PollLoop, type PollerContext } from '../../../src/collect/poller';
import type { Endpoint } from '../../../src/lib/types';

describe('the pollers\' grid', () => {
  it('puts every tick on a multiple of the interval, 0.75 to 1.75 intervals after the last, and exactly one apart from then on', () => {
    fc.assert(fc.property(fc.integer({ min: 250, max: 60_000 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 50 }), (interval, start, late) => {
      const first = nextPollAt(start, interval, interval);
      expect(first % interval).toBe(0);
      expect(first - start).toBeGreaterThanOrEqual(0.75 * interval);
      expect(first - start).toBeLessThan(1.75 * interval);
      // The timer fires a little late: the tick after stays on the same grid, one interval on.
      const late2 = Math.min(late, interval / 8);
      expect(nextPollAt(first + late2, interval, interval)).toBe(first + interval);
    }));
  });

  it('keeps a backoff on the grid, and a fast read between ticks where it was asked for unless it ends at a tick', () => {
    expect(nextPollAt(10_003, 4000, 1000)).toBe(14_000);
    expect(nextPollAt(10_003, 250, 1000)).toBe(10_253);
    expect(nextPollAt(10_753, 248, 1000)).toBe(11_000);
  });
});

describe('the shared clock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the callbacks due at one time in one timer task, and a cancelled one not at all', () => {
    const clock = new TickClock();
    const ran: string[] = [];
    const at = Date.now() + 1000;
    clock.at(at, () => ran.push('a'));
    const cancel = clock.at(at, () => ran.push('b'));
    clock.at(at, () => ran.push('c'));
    clock.at(at + 1, () => ran.push('later'));
    cancel();
    vi.advanceTimersToNextTimer();
    expect(ran).toEqual(['a', 'c']);
    vi.advanceTimersToNextTimer();
    expect(ran).toEqual(['a', 'c', 'later']);
  });

  it('brings pollers of one interval started out of phase to poll together', async () => {
    class Counting extends PollLoop {
      readonly at: number[] = [];
      constructor(ctx: PollerContext) {
        super(ctx, { unexpected: 'unused' });
      }
      async pollOnce(): Promise<number> {
        this.at.push(this.ctx.now());
        return this.ctx.endpoint.intervalMs;
      }
    }
    const clock = new TickClock();
    const ep = (id: number): Endpoint => ({ id, kind: 'llama', name: `n${id}`, url: 'http://127.0.0.1:1', apiKey: null, intervalMs: 1000, enabled: true, createdAt: 0, fromLink: false });
    const ctx = (id: number): PollerContext => ({
      endpoint: ep(id), fetch: () => Promise.reject(new Error('unused')), now: Date.now, saveFrames: () => {}, onStatus: () => {},
      clock, page: { protocol: 'http:', origin: 'http://127.0.0.1' },
    });
    vi.setSystemTime(1_700_000_000_123);
    const a = new Counting(ctx(1));
    a.start();
    await vi.advanceTimersByTimeAsync(370);
    const b = new Counting(ctx(2));
    b.start();
    await vi.advanceTimersByTimeAsync(5000);
    a.stop();
    b.stop();
    // After each one's first poll (at once, when it started), both poll at the same moments, one interval apart.
    expect(a.at.slice(1).slice(-4)).toEqual(b.at.slice(1).slice(-4));
    for (const t of a.at.slice(1)) expect(t % 1000).toBe(0);
  });
});
