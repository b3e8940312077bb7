import { describe, expect, it } from 'vitest';
import { copyChunks, copyGrid, CopyBuilder, COPY_POINTS, packColumn, unpackColumn, type CopySpec } from '../../../src/lib/prom-copy';
import { isTooManySamples, pullCopy } from '../../../src/lib/prom-copy-pull';
import type { PromResult } from '../../../src/lib/prometheus-api';

describe('the grid and chunks of a local copy', () => {
  it('reads an hour at the scrape interval and a week at a coarser step, never past COPY_POINTS', () => {
    const hour = copyGrid(1_000_000, 3600, 1);
    expect(hour).toEqual({ start: 1_000_000 - 3600, step: 1, points: 3601 });
    const week = copyGrid(1_000_000, 7 * 86400, 15);
    expect(week.step).toBe(152);
    expect(week.points).toBeLessThanOrEqual(COPY_POINTS);
    expect(week.start + (week.points - 1) * week.step).toBeLessThanOrEqual(1_000_000);
    expect(copyGrid(1_000_000, 600, 15).step).toBe(15);
  });

  it('chunks cover every grid point once, each at most the given steps', () => {
    const grid = { start: 100, step: 5, points: 2503 };
    const chunks = copyChunks(grid, 1000);
    expect(chunks).toEqual([{ start: 100, end: 100 + 999 * 5 }, { start: 100 + 1000 * 5, end: 100 + 1999 * 5 }, { start: 100 + 2000 * 5, end: 100 + 2502 * 5 }]);
  });
});

describe('gathering answers onto the grid', () => {
  const single: CopySpec = { id: 'genTps', label: 'Generation tok/s', expr: 'x' };
  const perSlot: CopySpec = { id: 'ctxFill', label: 'Context fill per slot', expr: 'y', by: 'slot' };

  it('places points, keeps holes and non-finite values as missing, and splits per-slot lines', () => {
    const b = new CopyBuilder({ start: 10, step: 10, points: 5 });
    b.declare(single);
    b.declare(perSlot);
    b.add(single, [{ labels: {}, ts: [10, 30, 40], values: [1, NaN, 4] }]);
    b.add(perSlot, [{ labels: { slot: '0' }, ts: [20], values: [0.5] }, { labels: { slot: '1' }, ts: [50], values: [Infinity] }]);
    const lines = b.series();
    expect(lines.map((l) => [l.key, l.label])).toEqual([['genTps', 'Generation tok/s'], ['ctxFill:0', 'slot 0'], ['ctxFill:1', 'slot 1']]);
    expect(unpackColumn(packColumn(lines[0].values))).toEqual([1, null, null, 4, null]);
    expect(unpackColumn(packColumn(lines[1].values))).toEqual([null, 0.5, null, null, null]);
    expect(b.samples()).toBe(3);
  });

  it('splits a chunk Prometheus refuses for too many samples, and gives up below the smallest chunk', async () => {
    const asked: number[] = [];
    const tooMany: PromResult = { ok: false, failure: { kind: 'api', status: 422, errorType: 'execution', error: 'query processing would load too many samples into memory in query execution' } };
    expect(isTooManySamples(tooMany.ok ? ({} as never) : tooMany.failure)).toBe(true);
    const query = async (_e: string, start: number, end: number, step: number): Promise<PromResult> => {
      const steps = (end - start) / step + 1;
      asked.push(steps);
      if (steps > 300) return tooMany;
      const ts = Array.from({ length: steps }, (_, i) => start + i * step);
      return { ok: true, warnings: [], data: { resultType: 'matrix', result: [{ labels: {}, ts, values: ts.map((t) => t) }] } };
    };
    const grid = { start: 0, step: 1, points: 1200 };
    const seen: { done: number; total: number; samples: number }[] = [];
    const r = await pullCopy(query, [single], grid, (p) => seen.push(p));
    expect(r.ok).toBe(true);
    // Progress starts at 0 of the planned chunks, grows with every split, and ends with every query answered.
    expect(seen[0]).toEqual({ done: 0, total: 2, samples: 0 });
    expect(seen.at(-1)).toEqual({ done: seen.at(-1)!.total, total: asked.filter((n) => n <= 300).length, samples: 1200 });
    expect(seen.every((p, i) => i === 0 || (p.done >= seen[i - 1].done && p.samples >= seen[i - 1].samples))).toBe(true);
    if (!r.ok) return;
    expect(r.builder.samples()).toBe(1200);
    expect(Math.max(...asked.filter((s) => s <= 300))).toBeLessThanOrEqual(300);
    const never = await pullCopy(async () => tooMany, [single], { start: 0, step: 1, points: 10 });
    expect(never).toEqual({ ok: false, failure: tooMany.ok ? null : tooMany.failure });
  });
});
