import { PROM_LINK_PREFIX, type PrometheusLink } from '../lib/prom-gap-plan';
import { LinkStore } from './link-store.svelte';

function isLink(v: unknown): v is PrometheusLink {
  const l = v as Partial<PrometheusLink> | null;
  return !!l && typeof l.prometheusId === 'number' && typeof l.job === 'string' && typeof l.instance === 'string';
}

/**
 * Links between a llama endpoint and the target a Prometheus scrapes it as (metadata `link.prometheus.<id>`),
 * for when relabeling hides the server's address from the `instance` label.
 */
export const prometheusLinks = new LinkStore<PrometheusLink>(PROM_LINK_PREFIX, isLink, 'Prometheus targets');
