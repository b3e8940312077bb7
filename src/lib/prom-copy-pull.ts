/**
 * Reading a copy's range from Prometheus: every chart's query in chunks of the grid, one after another
 * (a copy must not crowd out the live page's queries), a chunk refused for too many samples split in
 * two and asked again, progress after each answer. The range query is injected, so this stays pure.
 */

import { CHUNK_STEPS, copyChunks, CopyBuilder, MIN_CHUNK_STEPS, type CopyGrid, type CopySpec } from './prom-copy';
import type { PromFailure, PromResult } from './prometheus-api';

/** A range query (seconds) against one Prometheus. */
export type RangeQuery = (expr: string, start: number, end: number, step: number) => Promise<PromResult>;

/** How far a pull is: queries answered of those planned (splits add some), values gathered so far. */
export interface PullProgress {
  done: number;
  total: number;
  samples: number;
}

/** A pull's outcome: every chart gathered (with Prometheus' warnings), or the failure that stopped it. */
export type PullResult = { ok: true; builder: CopyBuilder; warnings: string[] } | { ok: false; failure: PromFailure };

/** Prometheus refused the query for loading more samples than --query.max-samples allows. */
export function isTooManySamples(f: PromFailure): boolean {
  return f.kind === 'api' && /too many samples/i.test(f.error);
}

/** Reads every spec over the grid; stops at the first failure that splitting cannot cure. */
export async function pullCopy(query: RangeQuery, specs: readonly CopySpec[], grid: CopyGrid, onProgress?: (p: PullProgress) => void): Promise<PullResult> {
  const builder = new CopyBuilder(grid);
  const warnings = new Set<string>();
  const plan = specs.map((spec) => ({ spec, queue: copyChunks(grid, CHUNK_STEPS) }));
  const progress: PullProgress = { done: 0, total: plan.reduce((n, p) => n + p.queue.length, 0), samples: 0 };
  onProgress?.({ ...progress });
  for (const { spec, queue } of plan) {
    builder.declare(spec);
    while (queue.length) {
      const chunk = queue.shift()!;
      const r = await query(spec.expr, chunk.start, chunk.end, grid.step);
      const steps = Math.round((chunk.end - chunk.start) / grid.step) + 1;
      if (!r.ok && isTooManySamples(r.failure) && steps > MIN_CHUNK_STEPS) {
        const half = Math.ceil(steps / 2);
        queue.unshift(...copyChunks({ start: chunk.start, step: grid.step, points: steps }, half));
        progress.total += 1;
        onProgress?.({ ...progress });
        continue;
      }
      if (!r.ok) return { ok: false, failure: r.failure };
      if (r.data.resultType !== 'matrix') return { ok: false, failure: { kind: 'bad-body', detail: `it answered a ${r.data.resultType}, not a range` } };
      builder.add(spec, r.data.result);
      for (const w of r.warnings) warnings.add(w);
      progress.done += 1;
      progress.samples = builder.samples();
      onProgress?.({ ...progress });
    }
  }
  return { ok: true, builder, warnings: [...warnings] };
}
