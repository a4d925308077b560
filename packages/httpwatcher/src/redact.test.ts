import { describe, expect, it } from 'vitest';
import { isSecretHeader, redactHeaders, redactUrl, redactValue } from './redact.js';

describe('redaction', () => {
  it('keeps the scheme word of an Authorization value', () => {
    expect(redactValue('Bearer abc.def.ghi')).toBe('Bearer ****');
    expect(redactValue('Basic Zm9vOmJhcg==')).toBe('Basic ****');
    expect(redactValue('opaque-token')).toBe('****');
  });

  it('masks credential headers case-insensitively and leaves others alone', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer x',
        Cookie: 'a=b',
        'X-Api-Key': 'k',
        'X-Auth-Token': 't',
        'Proxy-Authorization': 'Basic y',
        Accept: 'text/plain',
      }),
    ).toEqual({
      authorization: 'Bearer ****',
      Cookie: '****',
      'X-Api-Key': '****',
      'X-Auth-Token': '****',
      'Proxy-Authorization': 'Basic ****',
      Accept: 'text/plain',
    });
    expect(isSecretHeader('X-Github-Token')).toBe(true);
    expect(isSecretHeader('X-Client-Secret')).toBe(true);
    expect(isSecretHeader('X-Request-Id')).toBe(false);
    expect(isSecretHeader('Keep-Alive')).toBe(false);
  });

  it('gives back the same headers when none is a credential, and keeps a __proto__ header as data', () => {
    const plain = { Accept: 'text/plain', 'X-Request-Id': '1' };
    expect(redactHeaders(plain)).toBe(plain);
    const headers: Record<string, string> = { Authorization: 'Bearer x' };
    Object.defineProperty(headers, '__proto__', {
      value: 'data',
      enumerable: true,
      writable: true,
      configurable: true,
    });
    const redacted = redactHeaders(headers);
    expect(Object.entries(redacted)).toEqual([
      ['Authorization', 'Bearer ****'],
      ['__proto__', 'data'],
    ]);
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
  });

  it('masks credential query parameters and keeps the rest of the URL byte for byte', () => {
    expect(redactUrl('https://h/cb?code=1&access_token=abc%2F&state=x#frag')).toBe(
      'https://h/cb?code=1&access_token=****&state=x#frag',
    );
    expect(redactUrl('https://s3/b/k?X-Amz-Signature=deadbeef&X-Amz-Date=1')).toBe(
      'https://s3/b/k?X-Amz-Signature=****&X-Amz-Date=1',
    );
    expect(redactUrl('http://h/v1/items?api_key=k&apikey=k2&force')).toBe(
      'http://h/v1/items?api_key=****&apikey=****&force',
    );
    expect(redactUrl('http://h/v1/users?limit=10&sort=name')).toBe('http://h/v1/users?limit=10&sort=name');
    expect(redactUrl('http://h/monkey?sort=name')).toBe('http://h/monkey?sort=name');
    // Answers are remembered: asking again gives the same answer.
    expect(redactUrl('https://h/cb?code=1&access_token=abc%2F&state=x#frag')).toBe(
      'https://h/cb?code=1&access_token=****&state=x#frag',
    );
  });
});
