import { registerSW } from 'virtual:pwa-register';
import { errorText } from '../lib/error-text';

/**
 * A new deployed version, announced instead of applied: the service worker registers with
 * registerType 'prompt', so a new build waits until the user chooses Reload.
 */
class AppUpdateState {
  #ready = $state(false);
  #applying = $state(false);
  #error = $state<string | null>(null);
  #update: ((reloadPage?: boolean) => Promise<void>) | null = null;

  /** True once a new version is installed and waiting for the user's Reload. */
  readonly ready = $derived(this.#ready);
  readonly applying = $derived(this.#applying);
  /** Why the service worker could not be registered or updated, or null. */
  readonly error = $derived(this.#error);

  /** Registers the service worker; call once at startup. */
  start(): void {
    if (this.#update || !('serviceWorker' in navigator)) return;
    // Every tab that was told of the new version reloads when it takes control, whichever tab chose
    // Reload: no tab goes on running the old code beside the new.
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (this.#ready && !this.#applying) location.reload();
    });
    this.#update = registerSW({
      onNeedRefresh: () => (this.#ready = true),
      onRegisterError: (e: unknown) => (this.#error = `Offline use is not available: the service worker could not be registered (${errorText(e)}).`),
    });
  }

  /** Activates the waiting version; the page reloads when it takes control. */
  async apply(): Promise<void> {
    if (!this.#update || this.#applying) return;
    this.#applying = true;
    try {
      await this.#update(true);
    } catch (e) {
      this.#applying = false;
      this.#error = `The new version could not be activated: ${errorText(e)}. Close every tab of the dashboard and open it again.`;
    }
  }
}

/** The page's view of a waiting app update. */
export const appUpdate = new AppUpdateState();
