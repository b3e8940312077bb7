/**
 * The one way a server's base URL is checked, canonicalised and joined with a path. Every layer (the
 * endpoint form, the stored list, the pollers, the exporter) goes through here, so two spellings of the
 * same server always compare equal.
 */

export type BaseUrlResult = { ok: true; url: string } | { ok: false; message: string };

export interface BaseUrlOptions {
  /** Take `127.0.0.1:8080` as `http://127.0.0.1:8080` (what a person types), instead of refusing it. */
  assumeHttp?: boolean;
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Trims, checks and canonicalises a base URL: http(s) only, no credentials, lower-case host, no query or
 * fragment, no trailing slash (a path prefix, e.g. behind a reverse proxy, is kept). A refusal says how to
 * write it.
 */
export function parseBaseUrl(input: string, opts: BaseUrlOptions = {}): BaseUrlResult {
  const text = input.trim();
  const withScheme = opts.assumeHttp && text && !HAS_SCHEME.test(text) ? `http://${text}` : text;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return { ok: false, message: `"${text}" is not a web address: write it like http://127.0.0.1:8080` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return { ok: false, message: `"${text}" must start with http:// or https:// (for example http://127.0.0.1:8080)` };
  }
  // A user name or password in the address would be sent to the server in the clear: the key has its own field.
  if (u.username || u.password) return { ok: false, message: `"${text}" contains a user name or password: put the API key in its own field` };
  return { ok: true, url: `${u.origin}${stripSlashes(u.pathname)}` };
}

/** The canonical form of a base URL, or null when parseBaseUrl refuses it. */
export function normaliseBaseUrl(input: string, opts: BaseUrlOptions = {}): string | null {
  const r = parseBaseUrl(input, opts);
  return r.ok ? r.url : null;
}

/** A path under a base URL; tolerates a base that still ends in a slash. */
export function joinUrl(base: string, path: string): string {
  return stripSlashes(base) + path;
}

/** Host and port of a URL for messages and default names; the text itself when it is not a URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function stripSlashes(s: string): string {
  return s.replace(/\/+$/, '');
}
