import { describe, expect, it } from 'vitest';
import { localCandidates } from '../../../src/lib/local-servers';

const page = (href: string) => {
  const u = new URL(href);
  return { protocol: u.protocol, hostname: u.hostname, origin: u.origin, search: u.search };
};

describe('localCandidates', () => {
  it('tries the page itself, llama-server\'s default port and the exporter\'s when served from this computer', () => {
    expect(localCandidates(page('http://127.0.0.1:4173/'))).toEqual(['http://127.0.0.1:4173', 'http://127.0.0.1:8080', 'http://127.0.0.1:8642']);
    expect(localCandidates(page('http://localhost:8080/#/'))).toEqual(['http://localhost:8080', 'http://127.0.0.1:8080', 'http://127.0.0.1:8642']);
    expect(localCandidates(page('http://[::1]:4173/'))).toEqual(['http://[::1]:4173', 'http://127.0.0.1:8080', 'http://127.0.0.1:8642']);
  });

  it('does not repeat the page when it is llama-server on the default port', () => {
    expect(localCandidates(page('http://127.0.0.1:8080/'))).toEqual(['http://127.0.0.1:8080', 'http://127.0.0.1:8642']);
  });

  it('is not offered on a page served from elsewhere', () => {
    expect(localCandidates(page('https://dash.example.org/'))).toBeNull();
    expect(localCandidates(page('http://192.168.1.20:4173/'))).toBeNull();
    expect(localCandidates(page('http://127.0.0.1.example.org/'))).toBeNull();
    expect(localCandidates(page('file:///tmp/index.html'))).toBeNull();
  });

  it('adds ?local= addresses on this computer and ignores any elsewhere', () => {
    const got = localCandidates(page('http://127.0.0.1:4173/?local=127.0.0.1:18080&local=http://10.0.0.2:8080&local=http://localhost:9000/x&local=http://u:p@127.0.0.1:1'));
    expect(got).toEqual(['http://127.0.0.1:4173', 'http://127.0.0.1:8080', 'http://127.0.0.1:8642', 'http://127.0.0.1:18080', 'http://localhost:9000']);
  });

  it('leaves out addresses already added', () => {
    expect(localCandidates(page('http://127.0.0.1:4173/'), ['http://127.0.0.1:8080/', 'http://127.0.0.1:8642'])).toEqual(['http://127.0.0.1:4173']);
  });
});
