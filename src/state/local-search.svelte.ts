import type { EndpointInput, EndpointStatus } from '../lib/types';
import { errorText } from '../lib/error-text';
import { DEFAULT_EXPORTER_PORT } from '../lib/host-snapshot';
import { DEFAULT_INTERVAL_MS, endpoints, nameFromUrl } from './endpoints.svelte';

/** What one address said when asked. */
export interface LocalProbe {
  url: string;
  /** What answers there: a llama-server (possibly asleep or loading), the companion exporter, or nothing found. */
  found: 'llama' | 'exporter' | null;
  /** The model a llama-server serves, when /props said. */
  model: string | null;
  /** The llama-servers an exporter watches (`--llama`), as it reaches them. */
  watches: string[];
  /** Why nothing was found there, in words. */
  message: string | null;
}

const FOUND = new Set<EndpointStatus['state']>(['ok', 'busy', 'loading', 'sleeping']);

function inputFor(url: string, kind: 'llama' | 'exporter' = 'llama'): EndpointInput {
  return { kind, name: nameFromUrl(url), url, apiKey: null, intervalMs: DEFAULT_INTERVAL_MS, enabled: true };
}

/** Asks one address whether it is a llama-server (/health and /props only) and, when it is not, an exporter. */
async function probe(url: string, pageOrigin: string): Promise<LocalProbe> {
  const answer = (found: LocalProbe['found'], more: Partial<LocalProbe> = {}): LocalProbe =>
    ({ url, found, model: null, watches: [], message: null, ...more });
  try {
    const s = await endpoints.testConnection(inputFor(url), { identifyOnly: true });
    if (FOUND.has(s.state)) return answer('llama', { model: s.info.model ?? null });
    // The page's own server is no exporter, and asking it would fetch the page back.
    if (url === pageOrigin) return answer(null, { message: s.message });
    const x = await endpoints.testConnection(inputFor(url, 'exporter')).catch(() => null);
    if (x?.state === 'ok') return answer('exporter', { watches: (x.info.llama ?? []).map((w) => w.url) });
    // The exporter's own address: the llama-server advice would mislead there.
    const exporterHome = new URL(url).port === String(DEFAULT_EXPORTER_PORT);
    return answer(null, { message: exporterHome ? 'No companion exporter answers here (npm start runs one).' : s.message });
  } catch (e) {
    return answer(null, { message: errorText(e) });
  }
}

/**
 * A first visit's search for llama-servers and the companion exporter on this computer. It asks only when
 * the user clicks; a llama-server is asked /health and /props only (through the worker's testConnection), so
 * looking never wakes a sleeping server, and only an address where none answers is asked for an exporter.
 */
export class LocalSearch {
  #probes = $state.raw<LocalProbe[] | null>(null);
  #searching = $state(false);

  /** The answers of the last search, null before the first one. */
  readonly probes = $derived(this.#probes);
  /** The llama-servers found. */
  readonly found = $derived(this.#probes?.filter((p) => p.found === 'llama') ?? []);
  /** The exporters found: adding a server from the search adds them too. */
  readonly exporters = $derived(this.#probes?.filter((p) => p.found === 'exporter') ?? []);
  readonly searching = $derived(this.#searching);

  /** Asks every candidate address at once; `pageOrigin` is the page's own (candidates list it first). */
  async search(candidates: readonly string[], pageOrigin: string) {
    this.#searching = true;
    try {
      this.#probes = await Promise.all(candidates.map((url) => probe(url, pageOrigin)));
    } finally {
      this.#searching = false;
    }
  }

  /**
   * Adds what the search found at `url` as an endpoint, with the exporters it found: the dashboard leaves
   * its first-visit view once anything is added, so this is the one chance to take them along.
   */
  async add(url: string) {
    if (this.found.some((p) => p.url === url)) await endpoints.add(inputFor(url));
    for (const x of this.exporters) await endpoints.add(inputFor(x.url, 'exporter'));
  }
}
