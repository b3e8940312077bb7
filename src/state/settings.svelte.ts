import { db } from './client';
import { database } from './db.svelte';
import { errorText } from '../lib/error-text';

export type Theme = 'light' | 'dark' | 'system';

const THEME_KEY = 'ui.theme';
const themes: Theme[] = ['light', 'dark', 'system'];

function isTheme(v: unknown): v is Theme {
  return typeof v === 'string' && (themes as string[]).includes(v);
}

/** User preferences stored in the metadata table; the theme is applied as <html data-theme>. */
class SettingsState {
  // localStorage only mirrors the stored theme so the first paint is right before the worker is up.
  #theme = $state<Theme>(isTheme(localStorage.getItem(THEME_KEY)) ? (localStorage.getItem(THEME_KEY) as Theme) : 'system');
  #systemDark = $state(matchMedia('(prefers-color-scheme: dark)').matches);
  #error = $state<string | null>(null);

  readonly theme = $derived(this.#theme);
  /** The theme in effect: 'system' resolved through the OS preference. */
  readonly effectiveTheme = $derived<'light' | 'dark'>(
    this.#theme === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#theme,
  );
  /** Why the last preference could not be saved, or null. */
  readonly error = $derived(this.#error);

  constructor() {
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', (e) => {
      this.#systemDark = e.matches;
      this.#apply();
    });
    this.#apply();
  }

  /** Reads the stored preferences once the database is open (and again after a hand-over). */
  async load(): Promise<void> {
    await database.whenReady();
    const stored = await db.getMeta(THEME_KEY);
    if (isTheme(stored)) {
      this.#theme = stored;
      this.#apply();
    }
  }

  async setTheme(theme: Theme): Promise<void> {
    this.#theme = theme;
    this.#apply();
    try {
      await db.setMeta(THEME_KEY, theme);
      this.#error = null;
    } catch (e) {
      this.#error = `The theme is applied but could not be saved: ${errorText(e)}`;
    }
  }

  #apply(): void {
    document.documentElement.dataset.theme = this.effectiveTheme;
    // The browser's title bar (and an installed app's window) follows the chosen theme, not only the OS's.
    const bg = getComputedStyle(document.documentElement).getPropertyValue('--bg').trim();
    for (const m of document.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]')) m.content = bg;
    localStorage.setItem(THEME_KEY, this.#theme);
  }
}

/** The page's preferences. */
export const settings = new SettingsState();
