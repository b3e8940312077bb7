/** Hash routes (#/models): static hosts and llama-server --path have no SPA fallback. */
export type Route = 'dashboard' | 'fleet' | 'models' | 'requests' | 'settings';

const routes: Route[] = ['dashboard', 'fleet', 'models', 'requests', 'settings'];

function parse(hash: string): { route: Route; rest: string } {
  const path = hash.replace(/^#\/?/, '');
  const [head, ...rest] = path.split('/');
  const route = (routes as string[]).includes(head) ? (head as Route) : 'dashboard';
  return { route, rest: rest.join('/') };
}

/** Decides whether the app may move to `hash` (false keeps the current view). */
export type LeaveGuard = (hash: string) => boolean | Promise<boolean>;

class Router {
  #hash = $state(typeof location === 'undefined' ? '' : location.hash);
  readonly route = $derived(parse(this.#hash).route);
  /** Whatever follows the route, e.g. "12" in #/models/12. */
  readonly rest = $derived(parse(this.#hash).rest);

  #guard: LeaveGuard | null = null;

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => void this.#arrived(location.hash));
    }
  }

  /**
   * Back, a link or a typed address already changed the URL: while the guard hesitates, the address
   * is put back (without a history entry) so it keeps naming what is on screen, and moved on once allowed.
   */
  async #arrived(hash: string) {
    if (hash === this.#hash) return;
    const guard = this.#guard;
    if (!guard) {
      this.#hash = hash;
      return;
    }
    const shown = this.#hash;
    history.replaceState(history.state, '', shown || location.pathname + location.search);
    if (!(await guard(hash))) return;
    history.replaceState(history.state, '', hash);
    this.#hash = hash;
  }

  /**
   * Asks `guard` before any navigation (in the app, Back, links, the address bar); it resolves true to
   * leave. One guard at a time; the returned function removes it.
   */
  guard(guard: LeaveGuard): () => void {
    this.#guard = guard;
    return () => {
      if (this.#guard === guard) this.#guard = null;
    };
  }

  /** Navigates; `replace` swaps the current history entry (a saved #/models/new becomes its id). */
  async go(route: Route, rest = '', replace = false) {
    const hash = `#/${route}${rest ? `/${rest}` : ''}`;
    if (hash === this.#hash) return;
    if (this.#guard && !(await this.#guard(hash))) return;
    // Set first, so the hashchange that follows is known as already allowed.
    this.#hash = hash;
    if (replace) location.replace(hash);
    else location.hash = hash;
  }
}

export const router = new Router();
