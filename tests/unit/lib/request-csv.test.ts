import { describe, expect, it } from 'vitest';
import { requestsCsv, type RequestCsvRow } from '../../../src/lib/request-csv';
import { bucketPercentiles, percentile, summarize } from '../../../src/lib/request-stats';

const row: RequestCsvRow = {
  start: 1_795_795_122_996.4, ts: 1_795_795_122_996, endpoint: 'gpu box', model: '', slot: 0, promptTokens: 2691, cachedTokens: 0,
  generatedTokens: 600, queueMs: null, ttftMs: 1735.53, prefillTps: 1550.5349, decodeTps: 116.90952, durationMs: 6859.15, outcome: 'ended',
};

describe('requests CSV', () => {
  it('has the documented header and writes unknowns as empty cells', () => {
    const lines = requestsCsv([row]).split('\r\n');
    expect(lines[0]).toBe('start,endpoint,model,slot,prompt_tokens,cached_tokens,generated_tokens,queue_ms,ttft_ms,prefill_tps,decode_tps,duration_ms,outcome');
    expect(lines[1]).toBe('1795795122996,gpu box,,0,2691,0,600,,1736,1550.53,116.91,6859,ended');
  });

  it('neutralises names a spreadsheet would run as a formula', () => {
    const lines = requestsCsv([{ ...row, endpoint: '=HYPERLINK("http://x")', model: '@SUM(1)' }]).split('\r\n');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"")",'@SUM(1)`);
  });
});

describe('percentiles', () => {
  it('nearest rank: p50 of 1..10 is 5, p95 and p99 are 10; none of nothing', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99)]).toEqual([5, 10, 10]);
    expect(summarize([null, 3, Number.NaN, 1])).toEqual({ n: 2, p50: 1, p95: 3, p99: 3 });
    expect(summarize([])).toEqual({ n: 0, p50: null, p95: null, p99: null });
  });

  it('buckets keep empty ones as gaps', () => {
    const b = bucketPercentiles([0, 1000, 700_000], [10, 20, 30], 0, 900_000, 300_000);
    expect(b).toEqual({ ts: [0, 300, 600], n: [2, 0, 1], p50: [10, null, 30], p95: [20, null, 30], p99: [20, null, 30] });
  });
});
