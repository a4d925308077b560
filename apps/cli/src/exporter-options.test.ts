import { describe, expect, it } from 'vitest';
import { otlpTarget, parseListenAddress, parseOtlpEndpoint, parsePathPatterns } from './exporter-options.js';

describe('parseListenAddress', () => {
  it('reads host:port, [v6]:port and :port (every interface)', () => {
    expect(parseListenAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListenAddress(':9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseListenAddress('localhost:0')).toEqual({ host: 'localhost', port: 0 });
  });

  it.each(['9464', '127.0.0.1', '127.0.0.1:70000', 'a b:1', ''])('refuses "%s" with BAD_METRICS_ADDRESS', (text) => {
    expect(() => parseListenAddress(text)).toThrow(expect.objectContaining({ code: 'BAD_METRICS_ADDRESS' }));
  });
});

describe('parseOtlpEndpoint', () => {
  it('keeps an http(s) base URL without a trailing slash', () => {
    expect(parseOtlpEndpoint('http://collector:4318/')).toBe('http://collector:4318');
    expect(parseOtlpEndpoint('https://otel.example/base')).toBe('https://otel.example/base');
  });

  it.each(['collector:4318', 'grpc://c:4317', 'http://user:pw@c:4318', 'nonsense'])(
    'refuses "%s" with BAD_OTLP_ENDPOINT',
    (text) => {
      expect(() => parseOtlpEndpoint(text)).toThrow(expect.objectContaining({ code: 'BAD_OTLP_ENDPOINT' }));
    },
  );
});

describe('otlpTarget', () => {
  it('takes --otlp first, then any OTEL_EXPORTER_OTLP_*ENDPOINT variable', () => {
    expect(otlpTarget('http://c:4318', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318' })).toBe('http://c:4318');
    expect(otlpTarget(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(
      'environment',
    );
    expect(otlpTarget(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBeUndefined();
    expect(otlpTarget(undefined, {})).toBeUndefined();
  });
});

describe('parsePathPatterns', () => {
  it('takes absolute path patterns and refuses others with BAD_METRICS_PATH', () => {
    expect(parsePathPatterns(['/v1/users/*', '/healthz'])).toEqual(['/v1/users/*', '/healthz']);
    for (const bad of [['v1/*'], ['/a b'], ['/\x1b'], Array.from({ length: 101 }, (_, i) => `/${i}`)])
      expect(() => parsePathPatterns(bad)).toThrow(expect.objectContaining({ code: 'BAD_METRICS_PATH' }));
  });
});
