import { describe, expect, it } from 'vitest';
import { matchesFilters, parseFilter, urlHostAndPath } from './request-filter.js';
import { UsageError } from './usage-error.js';

const req = (method: string, url: string, host?: string) => ({ method, url, host });
const keeps = (filters: string[], r: ReturnType<typeof req>): boolean => matchesFilters(filters.map(parseFilter), r);

describe('--filter', () => {
  it('matches method case-insensitively against any of the comma-separated patterns', () => {
    expect(keeps(['method=get,post'], req('POST', 'http://a/'))).toBe(true);
    expect(keeps(['method=GET'], req('DELETE', 'http://a/'))).toBe(false);
  });

  it('matches host with or without the port, and the Host override', () => {
    expect(keeps(['host=api.*'], req('GET', 'http://api.example.com:8443/x'))).toBe(true);
    expect(keeps(['host=*:8443'], req('GET', 'http://api.example.com:8443/x'))).toBe(true);
    expect(keeps(['host=api.example.com'], req('GET', 'http://10.0.0.1/x', 'api.example.com'))).toBe(true);
    expect(keeps(['host=api.*'], req('GET', 'http://web.example.com/x'))).toBe(false);
  });

  it('matches the path without query or fragment, case-sensitively', () => {
    expect(keeps(['path=/v1/*'], req('GET', 'http://a/v1/users?limit=10#top'))).toBe(true);
    expect(keeps(['path=/V1/*'], req('GET', 'http://a/v1/users'))).toBe(false);
    expect(keeps(['path=/v1/users'], req('GET', 'http://a/v1/users?x=1'))).toBe(true);
  });

  it('treats regular-expression characters in a pattern literally', () => {
    expect(keeps(['path=/a.b'], req('GET', 'http://h/a.b'))).toBe(true);
    expect(keeps(['path=/a.b'], req('GET', 'http://h/axb'))).toBe(false);
  });

  it('requires every repeated filter, and != drops matches', () => {
    const f = ['method=GET', 'path=/v1/*', 'host!=*.internal'];
    expect(keeps(f, req('GET', 'http://api.example.com/v1/a'))).toBe(true);
    expect(keeps(f, req('GET', 'http://db.internal/v1/a'))).toBe(false);
    expect(keeps(f, req('POST', 'http://api.example.com/v1/a'))).toBe(false);
  });

  it.each([
    ['url=/x', 'unknown field "url"'],
    ['method', 'no "=" or "!="'],
    ['method=GET,', 'empty pattern'],
    ['host=', 'empty pattern'],
  ])('rejects %s with BAD_FILTER: %s', (text, why) => {
    const error = (() => {
      try {
        parseFilter(text);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'BAD_FILTER' });
    expect((error as Error).message).toContain(why);
  });

  it('splits Go URL strings into host and path', () => {
    expect(urlHostAndPath('https://[::1]:8080/a/b?q#f')).toEqual({ host: '[::1]:8080', path: '/a/b' });
    expect(urlHostAndPath('http://h')).toEqual({ host: 'h', path: '' });
  });
});
