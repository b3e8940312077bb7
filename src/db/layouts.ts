/**
 * Layouts: the series keys behind the positions of a packed frame, per endpoint. A frame with a key
 * its endpoint's latest layout lacks gets a new layout (the old keys in the same order, plus the new
 * ones), so layouts only grow and a metric never needs a migration.
 */
import type { DB } from './sql.ts';

export interface Layout {
  id: number;
  keys: string[];
  pos: Map<string, number>;
}

/** Parsed layouts by `${id}:${json}`: content-addressed, so safe across databases. */
const memo = new Map<string, Layout>();

/** The parsed layout of a (id, keys JSON) row. */
export function layoutOf(id: number, json: string): Layout {
  const k = `${id}:${json}`;
  let l = memo.get(k);
  if (!l) {
    const keys = JSON.parse(json) as string[];
    l = { id, keys, pos: new Map(keys.map((key, i) => [key, i])) };
    memo.set(k, l);
  }
  return l;
}

/** The newest layout of an endpoint, or null. */
export function latestLayout(db: DB, endpointId: number): Layout | null {
  const r = db.selectArray('SELECT id, keys FROM layouts WHERE endpoint_id = ? ORDER BY id DESC LIMIT 1', [endpointId]);
  return r ? layoutOf(r[0] as number, r[1] as string) : null;
}

/** A layout by id (layout ids are never reused while frames refer to them). */
export function layoutById(db: DB, id: number, cache: Map<number, Layout>): Layout {
  let l = cache.get(id);
  if (!l) {
    const json = db.selectValue('SELECT keys FROM layouts WHERE id = ?', [id]);
    if (typeof json !== 'string') throw new Error(`Stored samples refer to layout ${id}, which is missing: the database is damaged`);
    l = layoutOf(id, json);
    cache.set(id, l);
  }
  return l;
}

/** The layout with exactly these keys for this endpoint, created when needed. */
export function layoutWithKeys(db: DB, endpointId: number, keys: string[]): Layout {
  const json = JSON.stringify(keys);
  const id = db.selectValue(
    'INSERT INTO layouts(endpoint_id, keys) VALUES (?, ?) ON CONFLICT(endpoint_id, keys) DO UPDATE SET keys = keys RETURNING id',
    [endpointId, json],
  ) as number;
  return layoutOf(id, json);
}

/** `base` when it has all of `keys`, else a layout extending it with the missing ones. */
export function layoutCovering(db: DB, endpointId: number, base: Layout | null, keys: string[]): Layout {
  const missing = base ? keys.filter((k) => !base.pos.has(k)) : [...keys];
  if (base && missing.length === 0) return base;
  missing.sort();
  return layoutWithKeys(db, endpointId, [...(base?.keys ?? []), ...missing]);
}
