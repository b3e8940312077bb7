import { describe, expect, it } from 'vitest';
import { hostOf, joinUrl, normaliseBaseUrl, parseBaseUrl } from '../../../src/lib/base-url';

describe('base URL', () => {
  it('gives every spelling of one server the same canonical form', () => {
    const spellings = ['http://LOCALHOST:8080', ' http://localhost:8080/ ', 'http://localhost:8080//', 'http://localhost:8080/?x=1#top'];
    expect(new Set(spellings.map((s) => normaliseBaseUrl(s)))).toEqual(new Set(['http://localhost:8080']));
    expect(normaliseBaseUrl('https://gpu.example.org/llama/')).toBe('https://gpu.example.org/llama');
    expect(normaliseBaseUrl('http://[::1]:8080/')).toBe('http://[::1]:8080');
  });

  it('adds http:// to what a person typed only when asked', () => {
    expect(normaliseBaseUrl('127.0.0.1:8080/', { assumeHttp: true })).toBe('http://127.0.0.1:8080');
    expect(normaliseBaseUrl('localhost:8080', { assumeHttp: true })).toBe('http://localhost:8080');
    expect(parseBaseUrl('localhost:8080')).toEqual({ ok: false, message: expect.stringContaining('must start with http:// or https://') });
  });

  it('refuses what cannot be polled, saying how to write it', () => {
    expect(parseBaseUrl('')).toEqual({ ok: false, message: expect.stringContaining('is not a web address') });
    expect(parseBaseUrl('ftp://host/')).toEqual({ ok: false, message: expect.stringContaining('must start with http://') });
    expect(parseBaseUrl('http://exa mple', { assumeHttp: true })).toEqual({ ok: false, message: expect.stringContaining('is not a web address') });
    expect(parseBaseUrl('http://u:p@host:1')).toEqual({ ok: false, message: expect.stringContaining('API key in its own field') });
    expect(normaliseBaseUrl('  ', { assumeHttp: true })).toBeNull();
  });

  it('joins paths without doubling the slash, and names hosts', () => {
    expect(joinUrl('http://h:1', '/health')).toBe('http://h:1/health');
    expect(joinUrl('http://h:1/llama/', '/metrics?model=a')).toBe('http://h:1/llama/metrics?model=a');
    expect(hostOf('http://127.0.0.1:8080/x')).toBe('127.0.0.1:8080');
    expect(hostOf('not a url')).toBe('not a url');
  });
});
