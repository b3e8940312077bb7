import type { EndpointInput, EndpointStatus } from '../lib/types';
import { errorText } from '../lib/error-text';
import { DEFAULT_INTERVAL_MS, endpoints, nameFromUrl } from './endpoints.svelte';

/** What one address said when asked. */
export interface LocalProbe {
  url: string;
  /** A llama-server answers there (possibly asleep or loading). */
  found: boolean;
  /** The model it serves, when /props said. */
  model: string | null;
  /** Why nothing was found there, in words. */
  message: string | null;
}

const FOUND = new Set<EndpointStatus['state']>(['ok', 'busy', 'loading', 'sleeping']);

function inputFor(url: string): EndpointInput {
  return { kind: 'llama', name: nameFromUrl(url), url, apiKey: null, intervalMs: DEFAULT_INTERVAL_MS, enabled: true };
}

/**
 * A first visit's search for llama-servers on this computer. It asks only when the user clicks, and only
 * /health and /props (through the worker's testConnection), so looking never wakes a sleeping server.
 */
export class LocalSearch {
  #probes = $state.raw<LocalProbe[] | null>(null);
  #searching = $state(false);

  /** The answers of the last search, null before the first one. */
  readonly probes = $derived(this.#probes);
  readonly found = $derived(this.#probes?.filter((p) => p.found) ?? []);
  readonly searching = $derived(this.#searching);

  /** Asks every candidate address at once. */
  async search(candidates: readonly string[]) {
    this.#searching = true;
    try {
      this.#probes = await Promise.all(candidates.map(async (url): Promise<LocalProbe> => {
        try {
          const s = await endpoints.testConnection(inputFor(url), { identifyOnly: true });
          const found = FOUND.has(s.state);
          return { url, found, model: s.info.model ?? null, message: found ? null : s.message };
        } catch (e) {
          return { url, found: false, model: null, message: errorText(e) };
        }
      }));
    } finally {
      this.#searching = false;
    }
  }

  /** Adds a server the search found as an endpoint. */
  async add(url: string) {
    await endpoints.add(inputFor(url));
  }
}
