/** The HTTP helper lives in lib/http-request.ts (pure, fetch injected); this adds what only a page or worker knows. */

export { Cancelled, authHeaders, jsonOf, readCapped, request, type HttpEnv, type HttpResult, type RequestOptions } from '../lib/http-request';
export { joinUrl } from '../lib/base-url';

/** Reads where this code runs, so https pages can be told about mixed content and CORS. */
export function currentPage(): { protocol: string | null; origin: string | null } {
  const loc = (globalThis as { location?: { protocol?: string; origin?: string } }).location;
  return { protocol: loc?.protocol ?? null, origin: loc?.origin ?? null };
}
