import { describe, expect, it } from 'vitest';
import { goEscape, goUrlString, shouldEscape, type UrlParts } from './go-url.js';

const parts = (
  p: Partial<Record<Exclude<keyof UrlParts, 'forceQuery' | 'hasUserinfo'>, string>> & {
    forceQuery?: boolean;
    hasUserinfo?: boolean;
  },
): UrlParts => {
  const b = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'utf8');
  return {
    scheme: b(p.scheme),
    opaque: b(p.opaque),
    host: b(p.host),
    path: b(p.path),
    rawPath: b(p.rawPath),
    rawQuery: b(p.rawQuery),
    fragment: b(p.fragment),
    rawFragment: b(p.rawFragment),
    forceQuery: p.forceQuery ?? false,
    hasUserinfo: p.hasUserinfo ?? false,
  };
};

// Expected strings are what Go's (*url.URL).String prints for the same fields (net/url/url.go).
describe('goUrlString', () => {
  it.each([
    [
      'scheme, host, path, query',
      parts({ scheme: 'http', host: 'h:80', path: '/a b', rawQuery: 'q=1' }),
      'http://h:80/a%20b?q=1',
    ],
    [
      'RawPath when it encodes Path',
      parts({ scheme: 'http', host: 'h', path: '/a/b', rawPath: '/a%2Fb' }),
      'http://h/a%2Fb',
    ],
    [
      'escaped Path when RawPath does not encode it',
      parts({ scheme: 'http', host: 'h', path: '/a/c', rawPath: '/a%2Fb' }),
      'http://h/a/c',
    ],
    [
      'Opaque instead of host and path',
      parts({ scheme: 'http', host: 'h', path: '/x', opaque: '/o%2Fp' }),
      'http:/o%2Fp',
    ],
    [
      'ForceQuery with an empty query',
      parts({ scheme: 'http', host: 'h', path: '/p', forceQuery: true }),
      'http://h/p?',
    ],
    [
      'RawFragment when it encodes Fragment',
      parts({ scheme: 'http', host: 'h', fragment: 'a/b c', rawFragment: 'a%2Fb%20c' }),
      'http://h#a%2Fb%20c',
    ],
    ['a relative path after a host gets its slash', parts({ scheme: 'http', host: 'h', path: 'rel' }), 'http://h/rel'],
    ['a colon in the first segment of a bare path', parts({ path: 'a:b/c' }), './a:b/c'],
    ['the asterisk path', parts({ path: '*' }), '*'],
    ['userinfo is never printed, but keeps the //', parts({ scheme: 'http', hasUserinfo: true }), 'http://'],
    ['non-ASCII path bytes are escaped', parts({ scheme: 'http', host: 'h', path: '/é' }), 'http://h/%C3%A9'],
  ])('%s', (_name, input, expected) => {
    expect(goUrlString(input)).toBe(expected);
  });
});

describe('escape', () => {
  it('keeps host sub-delimiters and escapes others', () => {
    expect(goEscape(Buffer.from('[::1]:80 x'), 'host')).toBe('[::1]:80%20x');
    expect(shouldEscape('?'.charCodeAt(0), 'path')).toBe(true);
    expect(shouldEscape('?'.charCodeAt(0), 'fragment')).toBe(false);
  });
});
