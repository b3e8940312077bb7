// Migration 5 (this branch's number; renumbered at merge if others land first): endpoints may be Prometheus
// servers. Built from the real schema-2 file brought to version 4, then upgraded.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { migrate } from '../../../src/db/schema';
import { addEndpoint, listEndpoints } from '../../../src/db/endpoints';
import { queryHistory } from '../../../src/db/metrics';
import { validateRows } from '../../../src/db/import-validate';
import { exportFile } from '../../../src/db/export-image';
import { freshDb, openImage, sqlite } from './helpers';

const V2_FILE = new URL('../../fixtures/db/v2.sqlite3', import.meta.url);
const PREVIOUS = 5;
const THIS = 6;

const prom = { kind: 'prometheus' as const, name: 'fleet', url: 'http://10.0.0.7:9090', apiKey: 'Basic ann:s3cret-pw', intervalMs: 5000, enabled: true };

describe(`migration ${THIS}: Prometheus endpoints`, () => {
  test('keeps every endpoint with its id, from_link and samples, and accepts kind prometheus afterwards', async () => {
    const db = await openImage(new Uint8Array(readFileSync(V2_FILE)));
    migrate(db, PREVIOUS);
    db.exec("UPDATE endpoints SET from_link = 1 WHERE id = 3");
    expect(() => addEndpoint(db, prom)).toThrow(/CHECK constraint failed/);
    const before = listEndpoints(db);
    const counts = () => Object.fromEntries(['endpoints', 'layouts', 'frames', 'events', 'models', 'metadata', 'model_files']
      .map((t) => [t, db.selectValue(`SELECT count(*) FROM ${t}`)]));
    const countsBefore = counts();

    expect(migrate(db, THIS)).toEqual({ from: PREVIOUS, to: THIS });
    expect(listEndpoints(db)).toEqual(before);
    expect(before.find((e) => e.id === 3)!.fromLink).toBe(true);
    expect(counts()).toEqual(countsBefore);
    expect(queryHistory(db, { endpointId: 3, keys: ['gen_tps'], from: 1_760_000_200_000, to: 1_760_000_320_000, points: 500 }).ts).toHaveLength(60);

    const added = addEndpoint(db, prom);
    expect(added).toMatchObject({ kind: 'prometheus', url: 'http://10.0.0.7:9090', apiKey: 'Basic ann:s3cret-pw', fromLink: false });
    expect(added.id).toBe(Math.max(...before.map((e) => e.id)) + 1);
    expect(() => addEndpoint(db, { ...prom, kind: 'grafana' as never })).toThrow('Unknown endpoint kind "grafana" (llama, exporter or prometheus)');
    expect(db.selectValue("SELECT count(*) FROM sqlite_schema WHERE name = 'endpoints_next'")).toBe(0);
  });

  test('an imported file with a Prometheus endpoint keeps it; an export strips its credentials', async () => {
    const db = await freshDb();
    addEndpoint(db, prom);
    expect(validateRows(db).skipped).toEqual([]);
    expect(listEndpoints(db).map((e) => e.kind)).toEqual(['prometheus']);
    const file = exportFile(await sqlite(), db);
    expect(Buffer.from(file).includes(Buffer.from('s3cret-pw'))).toBe(false);
    const back = await openImage(file.slice());
    expect(listEndpoints(back).map((e) => [e.kind, e.url, e.apiKey])).toEqual([['prometheus', 'http://10.0.0.7:9090', null]]);
  });
});
