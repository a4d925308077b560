import { describe, expect, it } from 'vitest';
import { methodLabel, requestTarget, statusLabel } from './request-target.js';

describe('requestTarget', () => {
  it('drops the scheme default port from the host label but keeps it as server.port', () => {
    expect(requestTarget({ url: 'https://API.example.com/v1?x=1', host: undefined })).toEqual({
      address: 'api.example.com',
      port: 443,
      host: 'api.example.com',
    });
    expect(requestTarget({ url: 'http://example.com:80/', host: undefined }).host).toBe('example.com');
  });

  it('keeps a non-default port in the host label', () => {
    expect(requestTarget({ url: 'http://127.0.0.1:43121/healthz', host: undefined })).toEqual({
      address: '127.0.0.1',
      port: 43121,
      host: '127.0.0.1:43121',
    });
  });

  it('prefers the Host override and never reads userinfo', () => {
    expect(requestTarget({ url: 'http://10.0.0.1:8080/x', host: 'svc.internal' })).toEqual({
      address: 'svc.internal',
      port: 80,
      host: 'svc.internal',
    });
    expect(requestTarget({ url: 'http://user@db.local:5984/', host: undefined }).host).toBe('db.local:5984');
  });

  it('brackets IPv6 literals in the label only', () => {
    expect(requestTarget({ url: 'http://[::1]:9000/', host: undefined })).toEqual({
      address: '::1',
      port: 9000,
      host: '[::1]:9000',
    });
  });

  it('names a URL that does not parse "unknown"', () => {
    expect(requestTarget({ url: 'not a url', host: undefined }).host).toBe('unknown');
    expect(requestTarget({ url: 'http://a b/', host: undefined }).host).toBe('unknown');
    expect(requestTarget({ url: 'http://x:99999/', host: undefined }).host).toBe('unknown');
  });
});

describe('labels', () => {
  it('folds methods HTTP does not define into _OTHER', () => {
    expect(['GET', 'PATCH', 'get', 'PROPFIND', '\x1b[31m'].map(methodLabel)).toEqual([
      'GET',
      'PATCH',
      '_OTHER',
      '_OTHER',
      '_OTHER',
    ]);
  });

  it('gives the status code, error or unknown', () => {
    expect(statusLabel({ status: 404, error: false })).toBe('404');
    expect(statusLabel({ status: undefined, error: true })).toBe('error');
    expect(statusLabel({ status: undefined, error: undefined })).toBe('unknown');
    expect(statusLabel({ status: 1000, error: false })).toBe('unknown');
  });
});
