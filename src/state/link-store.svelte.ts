import { SvelteMap } from 'svelte/reactivity';
import { db } from './client';
import { errorText } from '../lib/error-text';

/**
 * Hand-made links from a llama endpoint to the name another source knows it by (metadata
 * `<prefix><endpoint id>`), for when the two reach the server by different addresses.
 */
export class LinkStore<T> {
  #links = new SvelteMap<number, T>();
  #error = $state<string | null>(null);
  readonly #prefix: string;
  readonly #isLink: (v: unknown) => v is T;
  /** What the links point at, for messages ("exporters", "Prometheus targets"). */
  readonly #what: string;

  /** Why the last read or change failed, or null. */
  readonly error = $derived(this.#error);

  constructor(prefix: string, isLink: (v: unknown) => v is T, what: string) {
    this.#prefix = prefix;
    this.#isLink = isLink;
    this.#what = what;
  }

  get(llamaEndpointId: number): T | null {
    return this.#links.get(llamaEndpointId) ?? null;
  }

  async load(): Promise<void> {
    try {
      const all = await db.allMeta();
      this.#links.clear();
      for (const [key, value] of Object.entries(all)) {
        const id = Number(key.slice(this.#prefix.length));
        if (key.startsWith(this.#prefix) && Number.isInteger(id) && this.#isLink(value)) this.#links.set(id, value);
      }
    } catch (e) {
      this.#error = `The links to ${this.#what} could not be read: ${errorText(e)}`;
    }
  }

  /** Links the endpoint, or (null) goes back to matching by address. */
  async set(llamaEndpointId: number, link: T | null): Promise<void> {
    const key = `${this.#prefix}${llamaEndpointId}`;
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
