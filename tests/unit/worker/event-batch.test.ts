import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesceEvents, eventBatcher } from '../../../src/worker/event-batch';
import type { DbEvent } from '../../../src/lib/types';

const status = (endpointId: number, state: 'ok' | 'down'): DbEvent => ({
  type: 'status', status: { endpointId, state, message: null, lastOkAt: 1, lastErrorAt: null, info: {}, isRouter: false, routerModels: [] },
});
const frames: DbEvent = { type: 'frames', endpointIds: [1, 2], ts: 5, latest: [], events: [] };

describe('a batch of events', () => {
  it('names every endpoint whose requests were written in one notice, keeps each endpoint\'s last status, and the rest in order', () => {
    const out = coalesceEvents([
      { type: 'requests', endpointIds: [1] }, status(1, 'ok'), { type: 'requests', endpointIds: [2, 1] }, status(2, 'down'),
      { type: 'requests', endpointIds: [1] }, status(1, 'down'), frames,
    ]);
    expect(out).toEqual([{ type: 'requests', endpointIds: [1, 2] }, status(2, 'down'), status(1, 'down'), frames]);
  });
});

describe('the event batcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds a tick\'s statuses and request notices for its frames, sends a change the user made at once, and holds nothing for ever', async () => {
    const sent: DbEvent[][] = [];
    const push = eventBatcher((b) => sent.push(b));
    push(status(1, 'ok'));
    push({ type: 'requests', endpointIds: [1] });
    push(status(2, 'ok'));
    expect(sent).toEqual([]);
    push(frames);
    expect(sent).toEqual([[status(1, 'ok'), { type: 'requests', endpointIds: [1] }, status(2, 'ok'), frames]]);
    push({ type: 'endpoints' });
    expect(sent).toHaveLength(2);
    // A status no frames follow (a poll that failed before it had anything to store) still goes out.
    push(status(1, 'down'));
    await vi.runAllTimersAsync();
    expect(sent).toEqual([expect.anything(), [{ type: 'endpoints' }], [status(1, 'down')]]);
  });
});
