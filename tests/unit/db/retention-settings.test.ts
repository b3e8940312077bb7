import { describe, expect, it } from 'vitest';
import { freshDb } from './helpers';
import { addEndpoint } from '../../../src/db/endpoints';
import { saveFrames } from '../../../src/db/metrics';
import { setMeta } from '../../../src/db/metadata';
import { costInputs, getRetention, pruneToSize, setRetention, usedBytes } from '../../../src/db/retention-settings';
import { DEFAULT_RETENTION_SETTINGS } from '../../../src/lib/retention-cost';
import type { DB } from '../../../src/db/sql';

const T0 = 1_760_000_000_000;

function fill(db: DB, ticks: number): number {
  const ep = addEndpoint(db, { kind: 'llama', name: 'box', url: 'http://127.0.0.1:8080', apiKey: null, intervalMs: 1000, enabled: true });
  const keys = Array.from({ length: 40 }, (_, k) => `series_${k}`);
  for (let start = 0; start < ticks; start += 1000) {
    const frames = [];
    for (let i = start; i < Math.min(ticks, start + 1000); i++) {
      frames.push({ endpointId: ep.id, ts: T0 + i * 1000, values: Object.fromEntries(keys.map((k, j) => [k, i * 0.5 + j])) });
    }
    saveFrames(db, frames);
  }
  return ep.id;
}

describe('retention settings', () => {
  it('are stored, read back valid whatever the metadata holds, and default when unset', async () => {
    const db = await freshDb();
    expect(getRetention(db)).toEqual(DEFAULT_RETENTION_SETTINGS);
    const s = setRetention(db, { rawMs: 6 * 3600_000, minuteMs: 7 * 86400_000, hourMs: 90 * 86400_000, maxBytes: 64 * 1024 * 1024 });
    expect(getRetention(db)).toEqual(s);
    setMeta(db, 'retention.settings', { rawMs: 'forever', hourMs: -1 });
    expect(getRetention(db).rawMs).toBe(DEFAULT_RETENTION_SETTINGS.rawMs);
    expect(getRetention(db).hourMs).toBeGreaterThan(0);
  });

  it('a size cap deletes the oldest history first until the database fits', async () => {
    const db = await freshDb();
    const id = fill(db, 20_000);
    const before = usedBytes(db);
    const cap = Math.floor(before / 2);
    let rounds = 0;
    for (let r = pruneToSize(db, cap, 2000); r.more; r = pruneToSize(db, cap, 2000)) rounds++;
    expect(rounds).toBeGreaterThan(0);
    expect(usedBytes(db)).toBeLessThanOrEqual(cap);
    const [oldest, newest] = db.selectArray('SELECT min(ts), max(ts) FROM frames WHERE endpoint_id = ?', [id]) as number[];
    expect(newest).toBe(T0 + 19_999 * 1000);
    expect(oldest).toBeGreaterThan(T0);
  });

  it('a cap already met deletes nothing', async () => {
    const db = await freshDb();
    fill(db, 500);
    expect(pruneToSize(db, usedBytes(db) + 1, 1000)).toEqual({ deleted: 0, more: false, over: false });
    expect(db.selectValue('SELECT count(*) FROM frames')).toBe(500);
  });

  it('cost inputs give each endpoint its stored series count and interval', async () => {
    const db = await freshDb();
    fill(db, 10);
    expect(costInputs(db)).toEqual([{ id: 1, name: 'box', kind: 'llama', intervalMs: 1000, series: 40 }]);
  });
});
