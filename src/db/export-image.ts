/**
 * Export of the database as a file, by default without secrets: endpoint API keys and the secret
 * arguments of model configurations are removed from a copy (never from the live database), and
 * the copy records what was removed so that an import can say what to enter again.
 */
import type { ArgSpec } from '../lib/params/types';
import { SECRET_FLAGS } from '../lib/params/secret-flags';
import { asRollbackImage, openImage } from './image-copy';
import { inTx, rows, type DB, type Sqlite3 } from './sql';
import { SIM_HOST, SIM_META_KEY } from '../lib/simulate/host';

/** Metadata key of the record of removed secrets in an exported file. */
export const SECRETS_STRIPPED_KEY = 'export.secretsStripped';

/** What an export without secrets removed, by row. */
export interface StrippedSecrets {
  endpoints: { id: number; name: string }[];
  models: { id: number; name: string }[];
}

/** Every spelling of a secret argument: the built-in catalogue's and any stored catalogue's. */
function secretSpellings(db: DB): Set<string> {
  const specs: ArgSpec[] = [];
  for (const json of db.selectValues('SELECT catalogue FROM catalogues')) {
    try {
      const c = JSON.parse(String(json)) as { args?: ArgSpec[] };
      if (Array.isArray(c.args)) specs.push(...c.args);
    } catch {
      // A catalogue that does not parse names no secrets; its rows are exported as they are.
    }
  }
  const out = new Set(SECRET_FLAGS);
  for (const s of specs) {
    if (!s?.secret) continue;
    out.add(s.key);
    for (const f of s.flags ?? []) out.add(f);
  }
  return out;
}

/** Extra arguments without secret flags and their values (`--api-key K` and `--api-key=K`). */
function stripExtra(words: string[], secret: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (secret.has(w)) i++;
    else if (!secret.has(w.split('=')[0])) out.push(w);
  }
  return out;
}

/** Removes secrets from `copy` in place and records what was removed in its metadata. */
function stripSecrets(copy: DB): StrippedSecrets {
  const secret = secretSpellings(copy);
  const stripped: StrippedSecrets = { endpoints: [], models: [] };
  inTx(copy, () => {
    stripped.endpoints = rows<{ id: number; name: string }>(copy, "SELECT id, name FROM endpoints WHERE coalesce(api_key, '') <> '' ORDER BY id");
    copy.exec('UPDATE endpoints SET api_key = NULL');
    for (const m of rows<{ id: number; name: string; args: string; extra_args: string }>(copy, 'SELECT id, name, args, extra_args FROM models ORDER BY id')) {
      const args = JSON.parse(m.args) as Record<string, unknown>;
      const extra = JSON.parse(m.extra_args) as string[];
      const keptArgs = Object.fromEntries(Object.entries(args).filter(([k]) => !secret.has(k)));
      const keptExtra = stripExtra(extra, secret);
      if (Object.keys(keptArgs).length === Object.keys(args).length && keptExtra.length === extra.length) continue;
      copy.exec({ sql: 'UPDATE models SET args = ?, extra_args = ? WHERE id = ?', bind: [JSON.stringify(keptArgs), JSON.stringify(keptExtra), m.id] });
      stripped.models.push({ id: m.id, name: m.name });
    }
    copy.exec({ sql: 'DELETE FROM metadata WHERE key = ?', bind: [SECRETS_STRIPPED_KEY] });
    if (stripped.endpoints.length || stripped.models.length) {
      copy.exec({ sql: 'INSERT INTO metadata(key, value) VALUES (?, ?)', bind: [SECRETS_STRIPPED_KEY, JSON.stringify(stripped)] });
    }
  });
  return stripped;
}

/** The whole database as one SQLite file, openable by any SQLite tool, secrets included. */
export function exportImage(sqlite3: Sqlite3, db: DB): Uint8Array {
  return asRollbackImage(sqlite3.capi.sqlite3_js_db_export(db));
}

/** Ids of the simulated endpoints (lib/simulate/host.ts), whose URLs all name the reserved host. */
function simulatedIds(db: DB): number[] {
  return db.selectValues("SELECT id FROM endpoints WHERE url LIKE ? ESCAPE '\\'", [`%://${SIM_HOST.replace(/[%_\\]/g, '\\$&')}:%`]).map(Number);
}

/** Removes the simulated endpoints and everything stored for them from `copy`. */
function dropSimulated(copy: DB, ids: number[]): void {
  inTx(copy, () => {
    for (const id of ids) {
      for (const table of ['frames', 'frames_1m', 'frames_1h', 'layouts', 'events', 'requests']) copy.exec({ sql: `DELETE FROM ${table} WHERE endpoint_id = ?`, bind: [id] });
      copy.exec({ sql: 'UPDATE models SET endpoint_id = NULL, router_model = NULL WHERE endpoint_id = ?', bind: [id] });
      copy.exec({ sql: 'DELETE FROM endpoints WHERE id = ?', bind: [id] });
    }
    copy.exec({ sql: 'DELETE FROM metadata WHERE key = ?', bind: [SIM_META_KEY] });
  });
}

/**
 * The database as a file for download. Without `includeSecrets` it holds no API key or secret
 * argument, not even in free pages (secure_delete, then VACUUM). The simulated servers' endpoints and
 * samples are always left out: they describe no real server.
 */
export function exportFile(sqlite3: Sqlite3, db: DB, includeSecrets = false): Uint8Array {
  const image = exportImage(sqlite3, db);
  const sims = simulatedIds(db);
  if (includeSecrets && !sims.length) return image;
  const copy = openImage(sqlite3, image);
  try {
    copy.exec('PRAGMA secure_delete=ON');
    dropSimulated(copy, sims);
    const stripped = includeSecrets ? { endpoints: [], models: [] } : stripSecrets(copy);
    // Nothing removed: the file is the database as it is, without the cost of rebuilding it.
    if (!sims.length && !stripped.endpoints.length && !stripped.models.length) return image;
    copy.exec('VACUUM');
    return asRollbackImage(sqlite3.capi.sqlite3_js_db_export(copy));
  } finally {
    copy.close();
  }
}
