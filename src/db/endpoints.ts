/** Endpoints: llama-servers and exporters to poll, Prometheus servers to read. */
import type { Endpoint, EndpointInput, EndpointKind } from '../lib/types';
import { inTx, rows, type DB } from './sql';
import { hostOf, parseBaseUrl } from '../lib/base-url';

interface EndpointRow {
  id: number; kind: EndpointKind; name: string; url: string; api_key: string | null;
  interval_ms: number; enabled: number; created_at: number; from_link: number;
}

const KIND_WORDS: Record<EndpointKind, string> = { llama: 'llama-server', exporter: 'exporter', prometheus: 'Prometheus' };
/** The shortest poll interval the app allows (the endpoint form says 0.25 s). */
export const MIN_INTERVAL_MS = 250;

function fromRow(r: EndpointRow): Endpoint {
  return {
    id: r.id, kind: r.kind, name: r.name, url: r.url, apiKey: r.api_key,
    intervalMs: r.interval_ms, enabled: r.enabled !== 0, createdAt: r.created_at, fromLink: r.from_link !== 0,
  };
}

/** A base URL as stored (see lib/base-url.ts); throws the reason, in words, when it cannot be polled. */
export function normaliseUrl(input: string): string {
  const r = parseBaseUrl(input);
  if (!r.ok) throw new Error(r.message);
  return r.url;
}

function checkInterval(ms: number): number {
  if (!Number.isInteger(ms) || ms < MIN_INTERVAL_MS) throw new Error(`Poll interval must be a whole number of milliseconds, at least ${MIN_INTERVAL_MS}`);
  return ms;
}

function checkKind(kind: string): EndpointKind {
  if (kind !== 'llama' && kind !== 'exporter' && kind !== 'prometheus') throw new Error(`Unknown endpoint kind "${kind}" (llama, exporter or prometheus)`);
  return kind;
}

function assertUnique(db: DB, kind: EndpointKind, url: string, exceptId: number | null): void {
  const other = rows<{ id: number; name: string }>(db, 'SELECT id, name FROM endpoints WHERE kind = ? AND url = ? AND id IS NOT ?', [kind, url, exceptId])[0];
  if (other) throw new Error(`A ${KIND_WORDS[kind]} at ${url} is already in the list ("${other.name}")`);
}

/** All endpoints, in the order they were added. */
export function listEndpoints(db: DB): Endpoint[] {
  return rows<EndpointRow>(db, 'SELECT * FROM endpoints ORDER BY id').map(fromRow);
}

/** One endpoint, or null. */
export function getEndpoint(db: DB, id: number): Endpoint | null {
  const r = rows<EndpointRow>(db, 'SELECT * FROM endpoints WHERE id = ?', [id])[0];
  return r ? fromRow(r) : null;
}

/**
 * Adds an endpoint; throws a message for the user on a bad URL, interval or a duplicate. The key is the
 * input's own: nothing is taken over from another endpoint, whatever its address.
 */
export function addEndpoint(db: DB, input: EndpointInput): Endpoint {
  const kind = checkKind(input.kind);
  const url = normaliseUrl(input.url);
  const intervalMs = checkInterval(input.intervalMs);
  const name = input.name.trim() || hostOf(url);
  return inTx(db, () => {
    assertUnique(db, kind, url, null);
    const id = db.selectValue(
      `INSERT INTO endpoints(kind, name, url, api_key, interval_ms, enabled, created_at, from_link) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [kind, name, url, input.apiKey || null, intervalMs, input.enabled ? 1 : 0, Date.now(), input.fromLink ? 1 : 0],
    ) as number;
    return getEndpoint(db, id)!;
  });
}

/** Changes some fields of an endpoint; same checks as addEndpoint. Throws when it does not exist. */
export function updateEndpoint(db: DB, id: number, patch: Partial<EndpointInput>): Endpoint {
  return inTx(db, () => {
    const cur = getEndpoint(db, id);
    if (!cur) throw new Error(`Endpoint ${id} does not exist (it may have been removed)`);
    const kind = patch.kind !== undefined ? checkKind(patch.kind) : cur.kind;
    const url = patch.url !== undefined ? normaliseUrl(patch.url) : cur.url;
    const intervalMs = patch.intervalMs !== undefined ? checkInterval(patch.intervalMs) : cur.intervalMs;
    const name = patch.name !== undefined ? patch.name.trim() || hostOf(url) : cur.name;
    const apiKey = patch.apiKey !== undefined ? patch.apiKey || null : cur.apiKey;
    const enabled = patch.enabled ?? cur.enabled;
    const fromLink = patch.fromLink ?? cur.fromLink;
    assertUnique(db, kind, url, id);
    db.exec({
      sql: 'UPDATE endpoints SET kind = ?, name = ?, url = ?, api_key = ?, interval_ms = ?, enabled = ?, from_link = ? WHERE id = ?',
      bind: [kind, name, url, apiKey, intervalMs, enabled ? 1 : 0, fromLink ? 1 : 0, id],
    });
    return getEndpoint(db, id)!;
  });
}

/** Removes an endpoint with all its samples, rollups, events and requests; models linked to it are unlinked. */
export function removeEndpoint(db: DB, id: number): void {
  inTx(db, () => {
    for (const table of ['frames', 'frames_1m', 'frames_1h', 'layouts', 'events', 'requests']) {
      db.exec({ sql: `DELETE FROM ${table} WHERE endpoint_id = ?`, bind: [id] });
    }
    db.exec({ sql: 'UPDATE models SET endpoint_id = NULL, router_model = NULL WHERE endpoint_id = ?', bind: [id] });
    db.exec({ sql: 'DELETE FROM endpoints WHERE id = ?', bind: [id] });
  });
}
