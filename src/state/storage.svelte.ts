import { db, onDbEvent } from './client';
import { errorText } from '../lib/error-text';

const ASKED_KEY = 'storage.persistAsked';

/** Which browser family's advice applies when persistence is refused. */
type Family = 'chromium' | 'firefox' | 'safari' | 'other';

function family(): Family {
  const ua = navigator.userAgent;
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Chrome\/|Chromium\/|Edg\//.test(ua)) return 'chromium';
  if (/Safari\//.test(ua)) return 'safari';
  return 'other';
}

/** What to do when the browser does not promise to keep the data, in this browser's terms. */
export function persistAdvice(f: Family = family()): string {
  switch (f) {
    case 'chromium':
      return 'Chrome and Edge grant it to sites you use: install the app (the install icon in the address bar, or the browser menu → Install Llama Dashboard) or bookmark it, then check again.';
    case 'firefox':
      return 'Firefox asks you: choose Allow, or open the padlock → Connection → More information → Permissions → "Store data in persistent storage".';
    case 'safari':
      return 'Safari keeps data of apps added to the Dock (File → Add to Dock) or the Home Screen; a site you have not visited for weeks may be cleared.';
    default:
      return 'Install the app or bookmark the page; browsers keep the data of sites people install or use often.';
  }
}

/**
 * Whether the browser will keep the database under storage pressure, and how much room it has.
 * Persistence is asked for once, when the user first stores something worth keeping (an endpoint
 * or a configuration), not on a first visit that may be only a look.
 */
class StorageState {
  #persisted = $state<boolean | null>(null);
  #usage = $state<number | null>(null);
  #quota = $state<number | null>(null);
  #error = $state<string | null>(null);
  #watching = false;

  /** null until known (or where the browser has no Storage API). */
  readonly persisted = $derived(this.#persisted);
  readonly usage = $derived(this.#usage);
  readonly quota = $derived(this.#quota);
  readonly error = $derived(this.#error);
  readonly advice = $derived(this.#persisted === false ? persistAdvice() : null);

  /** Reads persistence and the estimate again. */
  async refresh(): Promise<void> {
    const s = navigator.storage;
    if (!s?.persisted) {
      this.#error = 'This browser has no Storage API: it may clear the data under storage pressure. Export backups now and then.';
      return;
    }
    try {
      this.#persisted = await s.persisted();
      const e = await s.estimate();
      this.#usage = e.usage ?? null;
      this.#quota = e.quota ?? null;
      this.#error = null;
    } catch (e) {
      this.#error = `Could not read the storage state: ${errorText(e)}`;
    }
  }

  /** Asks the browser to keep the data (a prompt in Firefox, a quiet decision in Chromium). */
  async requestPersist(): Promise<void> {
    try {
      this.#persisted = (await navigator.storage?.persist?.()) ?? false;
    } catch (e) {
      this.#error = `Could not ask for persistent storage: ${errorText(e)}`;
    }
    await this.refresh();
  }

  /** Asks once, the first time endpoints or configurations change (i.e. the user added one). */
  watchFirstUse(): void {
    if (this.#watching) return;
    this.#watching = true;
    const stop = onDbEvent((ev) => {
      if (ev.type !== 'endpoints' && ev.type !== 'models') return;
      void (async () => {
        const [endpoints, models] = await Promise.all([db.listEndpoints(), db.listModels({})]);
        if (endpoints.length === 0 && models.length === 0) return;
        stop();
        if (await db.getMeta(ASKED_KEY)) return;
        await db.setMeta(ASKED_KEY, true);
        if (!(await navigator.storage?.persisted?.())) await this.requestPersist();
      })().catch((e: unknown) => (this.#error = `Could not ask for persistent storage: ${errorText(e)}`));
    });
  }
}

/** The page's view of the browser's storage for this site. */
export const storage = new StorageState();
