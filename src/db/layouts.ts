/**
 * Layouts: the series keys behind the positions of a packed frame, per endpoint. A frame with a key
 * its endpoint's latest layout lacks gets a new layout (the old keys in the same order, plus the new
 * ones), so layouts only grow and a metric never needs a migration.
 */
import { MAX_SERIES } from '../lib/limits';
import { eachRow, type DB } from './sql';

export interface Layout {
  id: number;
  keys: string[];
  /** The keys as stored (JSON text). */
  json: string;
  pos: Map<string, number>;
}

/** Parsed layouts by `${id}:${json}`: content-addressed, so safe across databases. */
const memo = new Map<string, Layout>();
/** Past this many parsed layouts the memo starts over, so layouts pruned from the database are let go too. */
const MEMO_MAX = 1024;

/** The parsed layout of a (id, keys JSON) row. */
function layoutOf(id: number, json: string): Layout {
  const k = `${id}:${json}`;
  let l = memo.get(k);
  if (!l) {
    const keys = JSON.parse(json) as string[];
    l = { id, keys, json, pos: new Map(keys.map((key, i) => [key, i])) };
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(k, l);
  }
  return l;
}

/** How many of an endpoint's newest layouts a frame may reuse (and retention keeps even when unused). */
export const RECENT = 8;

/**
 * The newest layouts (newest first) of each of these endpoints that exists, read in ONE statement:
 * two per endpoint made half of a 50-server tick's cost (bench/, `npm run bench`). An endpoint that
 * does not exist (removed while a poll was in flight) is absent from the result.
 */
export function recentLayouts(db: DB, endpointIds: number[]): Map<number, Layout[]> {
  const out = new Map<number, Layout[]>();
  eachRow(db, `SELECT e.id, l.id, l.keys FROM endpoints e
     LEFT JOIN layouts l ON l.id IN (SELECT id FROM layouts WHERE endpoint_id = e.id ORDER BY id DESC LIMIT ?)
     WHERE e.id IN (SELECT value FROM json_each(?)) ORDER BY e.id, l.id DESC`, [RECENT, JSON.stringify(endpointIds)], (s) => {
    const endpointId = s.get(0) as number;
    const id = s.get(1) as number | null;
    let recent = out.get(endpointId);
    if (!recent) out.set(endpointId, (recent = []));
    if (id !== null) recent.push(layoutOf(id, s.get(2) as string));
  });
  return out;
}

/**
 * Each connection's recent layouts per endpoint, as saveFrames last read or made them: a hint that saves
 * reading them on every tick. saveFrames checks each hinted layout against the table before storing under
 * it (metrics.ts), so a stale hint costs a re-read, never a frame stored under the wrong keys.
 */
const known = new WeakMap<DB, Map<number, Layout[]>>();

/** The connection's hint of recent layouts per endpoint (see `known`). */
export function knownLayouts(db: DB): Map<number, Layout[]> {
  let m = known.get(db);
  if (!m) known.set(db, (m = new Map()));
  return m;
}

/** Drops the hint (after the layouts table was emptied or rewritten). */
export function forgetLayouts(db: DB): void {
  known.delete(db);
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

/** A layout of `layoutKeys` for a frame of `frameKeys` would store mostly NaN (an endpoint that is down sends 2 keys, not 40). */
const mostlyNaN = (layoutKeys: number, frameKeys: number) => layoutKeys > 2 * frameKeys && layoutKeys - frameKeys > 8;

/**
 * The layout a frame with these keys is stored under: the smallest recent one holding them all,
 * unless that would mostly store NaN; otherwise a new one: the closest recent layout plus the missing
 * keys (or only the frame's keys, when that would mostly store NaN), so ticks that alternate between
 * two key sets (slots polled only while busy) settle on two layouts. A layout never holds more than MAX_SERIES
 * keys: past that, the frame's own keys (sorted, cut to MAX_SERIES) are used and the rest are not stored
 * (the pollers keep within the cap, see lib/series-budget.ts; this bounds anything else). Adds a new
 * layout to `recent` (and to `made`).
 */
export function layoutFor(db: DB, endpointId: number, recent: Layout[], keys: string[], made?: Set<Layout>): Layout {
  let best: Layout | null = null;
  for (const l of recent) {
    if (l.keys.length < (best?.keys.length ?? Infinity) && keys.every((k) => l.pos.has(k))) best = l;
  }
  if (best && !mostlyNaN(best.keys.length, keys.length)) return best;
  let next: string[];
  if (best) {
    next = [...keys].sort();
  } else {
    let base: Layout | null = null;
    let overlap = -1;
    for (const l of recent) {
      const o = keys.reduce((n, k) => n + (l.pos.has(k) ? 1 : 0), 0);
      if (o > overlap) { base = l; overlap = o; }
    }
    next = [...(base?.keys ?? []), ...keys.filter((k) => !base?.pos.has(k)).sort()];
    // A base full of keys this frame lacks (a label value that changes on every read) would make each
    // new layout one key longer than the last: start from the frame's own keys instead.
    if (mostlyNaN(next.length, keys.length)) next = [...keys].sort();
  }
  if (next.length > MAX_SERIES) next = [...keys].sort().slice(0, MAX_SERIES);
  const layout = layoutWithKeys(db, endpointId, next);
  made?.add(layout);
  if (!recent.some((l) => l.id === layout.id)) recent.unshift(layout);
  return layout;
}
