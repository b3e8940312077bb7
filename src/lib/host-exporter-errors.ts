import { tooLargeText, type FetchFailure } from './explain-fetch-error';
import { hostOf } from './base-url';

/** Where the failing request went, for the words. */
export interface ExporterExplainContext {
  url: string;
  path: string;
  pageOrigin?: string | null;
  hasToken: boolean;
}

/**
 * Why a request to the companion exporter failed, with the exporter option that fixes it: the
 * exporter binds 127.0.0.1 and allows only loopback pages by default, so remote use needs
 * --host and --cors, and a token set with --token must be entered in the endpoint.
 */
export function explainExporterFailure(f: FetchFailure, ctx: ExporterExplainContext): string {
  const host = hostOf(ctx.url);
  switch (f.kind) {
    case 'timeout':
      return `No answer from the exporter at ${host} within ${Math.round(f.ms / 100) / 10} s. The machine may be overloaded or a firewall may be dropping the traffic.`;
    case 'mixed-content':
      return `This dashboard is open over https and cannot fetch the plain http:// address ${ctx.url} (mixed content). Open the dashboard over http (for example from http://localhost), or put a TLS proxy in front of the exporter.`;
    case 'cors': {
      const origin = ctx.pageOrigin ?? 'this page\'s origin';
      return `The exporter at ${host} answered but does not allow ${origin} to read it (CORS). Start it with --cors ${ctx.pageOrigin ?? '<this page\'s origin>'} (or LLAMADASH_EXPORTER_CORS).`;
    }
    case 'unreachable':
      return `Cannot reach the exporter at ${host}. Start it there (node llama-dash-exporter.mjs); it listens on 127.0.0.1 only unless started with --host 0.0.0.0, and the port must be open in the firewall.`;
    case 'bad-body':
      return `${ctx.path} on ${host} did not return what the exporter returns (${f.detail}). Is another program answering on that port?`;
    case 'too-large':
      return tooLargeText(f.limitBytes, ctx.path, host, 'an exporter snapshot is a few kB, its history under a few MB');
    case 'http':
      if (f.status === 401) {
        return ctx.hasToken
          ? 'The exporter refused the token (401). Enter the value it was started with (--token or LLAMADASH_EXPORTER_TOKEN).'
          : 'The exporter needs a token (401). Enter the value it was started with (--token or LLAMADASH_EXPORTER_TOKEN) as the endpoint\'s key.';
      }
      if (f.status === 404) return `${ctx.path} was not found (404) on ${host}: this is not the companion exporter, or an old version of it. Check the address and port.`;
      if (f.status === 503) return 'The exporter is starting and has no sample yet (503).';
      return `The exporter answered ${f.status} to ${ctx.path}.`;
  }
}
