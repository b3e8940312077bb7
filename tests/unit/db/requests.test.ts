import { describe, expect, test } from 'vitest';
import { migrate } from '../../../src/db/schema';
import { addEndpoint, removeEndpoint } from '../../../src/db/endpoints';
import {
  getRequestRetentionDays, listRequests, markUnfollowed, pruneRequests, requestSources, requestStats, saveRequests, setRequestRetentionDays,
} from '../../../src/db/requests';
import { runConsoleQuery } from '../../../src/db/sql-console';
import type { RequestRecord } from '../../../src/lib/request-tracker';
import { fileAtVersion, freshDb, keptRows, sqlite } from './helpers';

/** The version before the one that adds `requests` (this migration's number minus one). */
const PREVIOUS = 6;

const rec = (over: Partial<RequestRecord> = {}): RequestRecord => ({
  key: '0:10:1000', slot: 0, start: 1_000, firstToken: 2_700, end: 7_900, promptTokens: 2691, cachedTokens: 0,
  generatedTokens: 600, queueMs: null, ttftMs: 1_700, prefillTps: 1550, decodeTps: 116.9, durationMs: 6_900,
  outcome: 'ended', precisionMs: 250, exactTokens: true, exactPrefill: true, exactDecode: true, source: 'slots', speculative: false,
  ...over,
});

describe('requests migration', () => {
  test('upgrades a database of the previous version, keeping its rows, and then stores requests', async () => {
    const db = await fileAtVersion(PREVIOUS);
    const before = keptRows(db);
    expect(before.endpoints.length).toBeGreaterThan(0);
    expect(db.selectValue("SELECT count(*) FROM sqlite_schema WHERE name = 'requests'")).toBe(0);

    expect(migrate(db, PREVIOUS + 1)).toEqual({ from: PREVIOUS, to: PREVIOUS + 1 });
    expect(keptRows(db)).toEqual(before);

    const ep = before.endpoints[0].id;
    saveRequests(db, ep, '', [rec()]);
    expect(listRequests(db, { from: 0, to: 10_000 })).toMatchObject([{ endpointId: ep, generatedTokens: 600, exactDecode: true }]);
  });
});

describe('requests', () => {
  async function withEndpoint() {
    const db = await freshDb();
    const ep = addEndpoint(db, { kind: 'llama', name: 'a', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true });
    return { db, ep: ep.id };
  }

  test('a running request is updated in place when it ends, and reads back as it was written', async () => {
    const { db, ep } = await withEndpoint();
    saveRequests(db, ep, '', [rec({ outcome: 'running', end: null, durationMs: null, exactTokens: false })]);
    saveRequests(db, ep, '', [rec()]);
    const [r] = listRequests(db, { from: 0, to: 10_000 });
    const { id: _id, endpointId, model, ts, ...fields } = r;
    expect({ endpointId, model, ts }).toEqual({ endpointId: ep, model: '', ts: 1_000 });
    const { key: _key, ...expected } = rec();
    expect(fields).toEqual(expected);
  });

  test('a request still running when the database opens again is marked as not followed to its end', async () => {
    const { db, ep } = await withEndpoint();
    saveRequests(db, ep, '', [rec({ key: 'a', outcome: 'running', end: null }), rec({ key: 'b' })]);
    expect(markUnfollowed(db)).toBe(1);
    expect(listRequests(db, { from: 0, to: 10_000 }).map((r) => r.outcome).sort()).toEqual(['ended', 'unknown']);
  });

  test('lists newest first, filtered by time, endpoint and model', async () => {
    const { db, ep } = await withEndpoint();
    saveRequests(db, ep, 'a', [rec({ key: '1', start: 1_000 }), rec({ key: '2', start: 5_000 })]);
    saveRequests(db, ep, 'b', [rec({ key: '3', start: 3_000 })]);
    expect(listRequests(db, { from: 0, to: 10_000 }).map((r) => r.ts)).toEqual([5_000, 3_000, 1_000]);
    expect(listRequests(db, { from: 2_000, to: 10_000, model: 'a' }).map((r) => r.ts)).toEqual([5_000]);
    expect(listRequests(db, { from: 0, to: 10_000, endpointId: ep + 1 })).toEqual([]);
    expect(requestSources(db)).toEqual([{ endpointId: ep, model: 'a', n: 2 }, { endpointId: ep, model: 'b', n: 1 }]);
  });

  test('percentiles over the range and per 5 minutes count only ended requests', async () => {
    const { db, ep } = await withEndpoint();
    const ttfts = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
    saveRequests(db, ep, '', ttfts.map((t, i) => rec({ key: String(i), start: i * 60_000, ttftMs: t })));
    saveRequests(db, ep, '', [rec({ key: 'run', start: 1_000, ttftMs: 99_999, outcome: 'running' })]);
    saveRequests(db, ep, '', [rec({ key: 'c', start: null, end: 30_000, ttftMs: null, source: 'counters' })]);
    const s = requestStats(db, { from: 0, to: 600_000 });
    expect(s.total).toBe(11);
    expect(s.countersOnly).toBe(1);
    expect(s.ttft).toEqual({ n: 10, p50: 500, p95: 1000, p99: 1000 });
    expect(s.buckets.ttft.ts).toEqual([0, 300]);
    expect(s.buckets.ttft.n).toEqual([5, 5]);
    expect(s.buckets.ttft.p50).toEqual([300, 800]);
  });

  test('are readable from the SQL console, go with their endpoint, and are pruned after their own window', async () => {
    const { db, ep } = await withEndpoint();
    const day = 86_400_000;
    saveRequests(db, ep, '', [rec({ key: 'old', start: 1 * day }), rec({ key: 'new', start: 40 * day })]);
    const s = await sqlite();
    const q = runConsoleQuery(s, db, { sql: 'SELECT key, ttft_ms FROM requests ORDER BY ts' });
    expect(q).toMatchObject({ columns: ['key', 'ttft_ms'], rows: [['old', 1700], ['new', 1700]] });
    expect(getRequestRetentionDays(db)).toBe(30);
    expect(pruneRequests(db, 45 * day, 100)).toEqual({ deleted: 1, more: false });
    expect(() => setRequestRetentionDays(db, 0)).toThrow('1 to 3650 whole days');
    setRequestRetentionDays(db, 3);
    expect(pruneRequests(db, 45 * day, 100).deleted).toBe(1);
    saveRequests(db, ep, '', [rec({ key: 'x' })]);
    removeEndpoint(db, ep);
    expect(db.selectValue('SELECT count(*) FROM requests')).toBe(0);
  });
});
