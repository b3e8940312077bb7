import { LINK_PREFIX, type ExporterLink } from '../lib/exporter-llama';
import { LinkStore } from './link-store.svelte';

function isLink(v: unknown): v is ExporterLink {
  const l = v as Partial<ExporterLink> | null;
  return !!l && typeof l.exporterId === 'number' && typeof l.url === 'string';
}

/** Links between a llama endpoint and the address an exporter watches it at (metadata `link.exporter.<id>`). */
export const exporterLinks = new LinkStore<ExporterLink>(LINK_PREFIX, isLink, 'exporters');
