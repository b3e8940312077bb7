/** Hash routes (#/models): static hosts and llama-server --path have no SPA fallback. */
export type Route = 'dashboard' | 'fleet' | 'models' | 'requests' | 'settings';

const routes: Route[] = ['dashboard', 'fleet', 'models', 'requests', 'settings'];

function parse(hash: string): { route: Route; rest: string } {
  const path = hash.replace(/^#\/?/, '');
  const [head, ...rest] = path.split('/');
  const route = (routes as string[]).includes(head) ? (head as Route) : 'dashboard';
  return { route, rest: rest.join('/') };
}

class Router {
  #hash = $state(typeof location === 'undefined' ? '' : location.hash);
  readonly route = $derived(parse(this.#hash).route);
  /** Whatever follows the route, e.g. "12" in #/models/12. */
  readonly rest = $derived(parse(this.#hash).rest);

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => (this.#hash = location.hash));
    }
  }

  /** Navigates; `replace` swaps the current history entry (a saved #/models/new becomes its id). */
  go(route: Route, rest = '', replace = false) {
    const hash = `#/${route}${rest ? `/${rest}` : ''}`;
    if (replace) location.replace(hash);
    else location.hash = hash;
  }
}

export const router = new Router();
