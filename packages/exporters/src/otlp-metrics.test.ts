import { describe, expect, it } from 'vitest';
import { requestAttributes } from './otlp-metrics.js';

const base = { method: 'GET', program: 'orders', module: 'example.test/orders' };

describe('requestAttributes', () => {
  it('names the labels as the HTTP conventions do, the port apart from the address', () => {
    expect(requestAttributes({ ...base, host: '127.0.0.1:8080', status: '404' })).toEqual({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': 8080,
      'http.response.status_code': 404,
      'process.executable.name': 'orders',
      'httpwatcher.go.main_module': 'example.test/orders',
    });
    expect(requestAttributes({ ...base, host: '[::1]:9000' })).toMatchObject({
      'server.address': '::1',
      'server.port': 9000,
    });
    expect(requestAttributes({ ...base, host: 'api.example.com' })).not.toHaveProperty('server.port');
    expect(requestAttributes({ ...base, host: 'x', path: '/v1/*' })['url.template']).toBe('/v1/*');
  });

  it('gives error.type when no status came back', () => {
    expect(requestAttributes({ ...base, host: 'other', status: 'error' })).toMatchObject({
      'server.address': 'other',
      'error.type': '_OTHER',
    });
    expect(requestAttributes({ ...base, host: 'x', status: 'unknown' })['error.type']).toBe('unknown');
  });
});
