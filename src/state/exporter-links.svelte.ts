import { SvelteMap } from 'svelte/reactivity';
import { db } from './client';
import { errorText } from '../lib/error-text';
import { LINK_PREFIX, type ExporterLink } from '../lib/exporter-llama';

/**
 * Hand-made links between a llama endpoint and the address an exporter watches it at (metadata
 * `link.exporter.<id>`), for when the two reach the server by different names.
 */
class ExporterLinksState {
  #links = new SvelteMap<number, ExporterLink>();
  #error = $state<string | null>(null);

  /** Why the last change could not be saved, or null. */
  readonly error = $derived(this.#error);

  get(llamaEndpointId: number): ExporterLink | null {
    return this.#links.get(llamaEndpointId) ?? null;
  }

  async load(): Promise<void> {
    try {
      const all = await db.allMeta();
      this.#links.clear();
      for (const [key, value] of Object.entries(all)) {
        const id = Number(key.slice(LINK_PREFIX.length));
        if (key.startsWith(LINK_PREFIX) && Number.isInteger(id) && isLink(value)) this.#links.set(id, value);
      }
    } catch (e) {
      this.#error = `The links to exporters could not be read: ${errorText(e)}`;
    }
  }

  /** Links the endpoint to what an exporter watches, or (null) back to matching by address. */
  async set(llamaEndpointId: number, link: ExporterLink | null): Promise<void> {
    const key = `${LINK_PREFIX}${llamaEndpointId}`;
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

function isLink(v: unknown): v is ExporterLink {
  const l = v as Partial<ExporterLink> | null;
  return !!l && typeof l.exporterId === 'number' && typeof l.url === 'string';
}

export const exporterLinks = new ExporterLinksState();
