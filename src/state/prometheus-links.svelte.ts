import { SvelteMap } from 'svelte/reactivity';
import { db } from './client';
import { errorText } from '../lib/error-text';
import { PROM_LINK_PREFIX, type PrometheusLink } from '../lib/prom-gap-plan';

/**
 * Hand-made links between a llama endpoint and the target a Prometheus scrapes it as (metadata
 * `link.prometheus.<id>`), for when relabeling hides the server's address from the `instance` label.
 */
class PrometheusLinksState {
  #links = new SvelteMap<number, PrometheusLink>();
  #error = $state<string | null>(null);

  /** Why the last read or change failed, or null. */
  readonly error = $derived(this.#error);

  get(llamaEndpointId: number): PrometheusLink | null {
    return this.#links.get(llamaEndpointId) ?? null;
  }

  async load(): Promise<void> {
    try {
      const all = await db.allMeta();
      this.#links.clear();
      for (const [key, value] of Object.entries(all)) {
        const id = Number(key.slice(PROM_LINK_PREFIX.length));
        if (key.startsWith(PROM_LINK_PREFIX) && Number.isInteger(id) && isLink(value)) this.#links.set(id, value);
      }
    } catch (e) {
      this.#error = `The links to Prometheus targets could not be read: ${errorText(e)}`;
    }
  }

  /** Links the endpoint to a Prometheus target, or (null) back to matching by address. */
  async set(llamaEndpointId: number, link: PrometheusLink | null): Promise<void> {
    const key = `${PROM_LINK_PREFIX}${llamaEndpointId}`;
    try {
      if (link) await db.setMeta(key, link);
      else await db.deleteMeta(key);
      if (link) this.#links.set(llamaEndpointId, link);
      else this.#links.delete(llamaEndpointId);
      this.#error = null;
    } catch (e) {
      this.#error = `The link could not be saved: ${errorText(e)}`;
    }
  }
}

function isLink(v: unknown): v is PrometheusLink {
  const l = v as Partial<PrometheusLink> | null;
  return !!l && typeof l.prometheusId === 'number' && typeof l.job === 'string' && typeof l.instance === 'string';
}

export const prometheusLinks = new PrometheusLinksState();
