import { DEFAULT_EXPORTER_PORT } from './host-snapshot';

/**
 * Where a first visit looks for a llama-server (and the companion exporter) on this computer. Only a page served from this computer
 * (npm start, `llama-server --path`) offers the search: a page served from elsewhere has no business
 * probing the visitor's machine.
 */

/** The port llama-server listens on when started without --port. */
export const LLAMA_DEFAULT_PORT = 8080;

/** What the search needs to know about the page (location's fields). */
export interface PageLocation {
  protocol: string;
  hostname: string;
  origin: string;
  search: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for localhost, 127.0.0.1 and [::1]. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase());
}

/** The origin of an http(s) address on this computer, or null for anything else. */
function loopbackOrigin(text: string): string | null {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) return null;
    return isLoopbackHost(u.hostname) ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * The addresses to try, in order, or null when the search must not be offered (a page not served from
 * this computer). They are the page's own origin (a llama-server started with --path serves the page
 * itself), http://127.0.0.1:8080 (llama-server's default), http://127.0.0.1:8642 (the exporter's, which
 * `npm start` runs), and any `?local=<address>` of the page URL that is on this computer (for a server on
 * another port; addresses elsewhere are ignored). Addresses in
 * `known` (endpoints already added, compared by origin) are left out.
 */
export function localCandidates(page: PageLocation, known: readonly string[] = []): string[] | null {
  if (page.protocol !== 'http:' && page.protocol !== 'https:') return null;
  if (!isLoopbackHost(page.hostname)) return null;
  const extra = new URLSearchParams(page.search).getAll('local').map(loopbackOrigin);
  const skip = new Set(known.map((k) => loopbackOrigin(k) ?? k));
  const out: string[] = [];
  for (const c of [page.origin, `http://127.0.0.1:${LLAMA_DEFAULT_PORT}`, `http://127.0.0.1:${DEFAULT_EXPORTER_PORT}`, ...extra]) {
    if (c && !skip.has(c) && !out.includes(c)) out.push(c);
  }
  return out;
}
