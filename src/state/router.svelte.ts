/** Hash routes (#/models): static hosts and llama-server --path have no SPA fallback. */
export type Route = 'dashboard' | 'models' | 'requests' | 'settings';

const routes: Route[] = ['dashboard', 'models', 'requests', 'settings'];

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

  go(route: Route, rest = '') {
    location.hash = `#/${route}${rest ? `/${rest}` : ''}`;
  }
}

export const router = new Router();
