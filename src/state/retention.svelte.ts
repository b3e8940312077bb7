import { db } from './client';
import { database } from './db.svelte';
import { errorText } from '../lib/error-text';
import { retentionCost, type RetentionCost, type RetentionSettings } from '../lib/retention-cost';

/** One endpoint's share of the retention cost. */
export interface EndpointCost {
  id: number;
  name: string;
  intervalMs: number;
  series: number;
  cost: RetentionCost;
}

/** Retention as a setting: how long each tier is kept, the optional size cap, and what it costs per endpoint. */
class RetentionState {
  #settings = $state<RetentionSettings | null>(null);
  #inputs = $state.raw<{ id: number; name: string; intervalMs: number; series: number }[]>([]);
  #saving = $state(false);
  #error = $state<string | null>(null);
  #saved = $state(false);

  readonly settings = $derived(this.#settings);
  readonly saving = $derived(this.#saving);
  readonly error = $derived(this.#error);
  /** True after a save, until the next change. */
  readonly saved = $derived(this.#saved);

  /** The cost of `draft` (the settings being edited) for every endpoint with stored series. */
  costs(draft: RetentionSettings): EndpointCost[] {
    return this.#inputs.filter((e) => e.series > 0).map((e) => ({ ...e, cost: retentionCost(draft, e) }));
  }

  async load(): Promise<void> {
    await database.whenReady();
    try {
      const [s, inputs] = await Promise.all([db.getRetention(), db.retentionInputs()]);
      this.#settings = s;
      this.#inputs = inputs;
      this.#error = null;
    } catch (e) {
      this.#error = `Could not read the retention settings: ${errorText(e)}`;
    }
  }

  /** Stores the settings; the worker prunes to them at once. */
  async save(next: RetentionSettings): Promise<void> {
    this.#saving = true;
    this.#saved = false;
    try {
      this.#settings = await db.setRetention(next);
      this.#error = null;
      this.#saved = true;
    } catch (e) {
      this.#error = `The retention settings were not saved: ${errorText(e)}`;
    } finally {
      this.#saving = false;
    }
  }

  edited(): void {
    this.#saved = false;
  }
}

export const retention = new RetentionState();
