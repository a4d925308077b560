import type { HttpRequestEvent } from 'httpwatcher';
import { describe, expect, it } from 'vitest';
import { requestEvent } from './test-support/request-event.js';
import { pathPattern, TopStats } from './top-stats.js';

const event = (over: Partial<HttpRequestEvent> = {}): HttpRequestEvent =>
  requestEvent({ pid: 10, url: 'http://api.test/v1/users/42?x=1', time: new Date(0), ...over });

describe('pathPattern', () => {
  it('replaces numbers, UUIDs and long hex segments with :id', () => {
    expect(pathPattern('/v1/users/42/orders/0b8f4a9c-1d2e-4f3a-9b8c-7d6e5f4a3b2c/x')).toBe(
      '/v1/users/:id/orders/:id/x',
    );
    expect(pathPattern('/blobs/0123456789abcdef0123')).toBe('/blobs/:id');
    expect(pathPattern('/v2/abc')).toBe('/v2/abc');
  });
});

describe('TopStats', () => {
  it('counts per process and group, failures being errors and 5xx, with nearest-rank p50/p99', () => {
    let now = 100;
    const stats = new TopStats(() => now);
    for (let i = 1; i <= 100; i++) stats.add(event({ status: 200, durationNs: i * 1e6 }));
    stats.add(event({ method: 'POST', status: 503, durationNs: 5e6 }));
    stats.add(event({ method: 'POST', error: true, durationNs: 7e6, url: 'http://other.test/a' }));
    stats.add(event({ pid: 11, status: 404, durationNs: 1e6, host: 'virtual.test' }));
    now = 101;
    expect([stats.total, stats.errors]).toEqual([103, 2]);
    expect(stats.rate()).toBe(103 / 5);
    expect(stats.rows('host')).toEqual([
      { pid: 10, label: 'api.test', total: 101, errors: 1, rate: 101 / 5, p50: 50, p99: 99 },
      { pid: 10, label: 'other.test', total: 1, errors: 1, rate: 0.2, p50: 7, p99: 7 },
      { pid: 11, label: 'virtual.test', total: 1, errors: 0, rate: 0.2, p50: 1, p99: 1 },
    ]);
    expect(stats.rows('method').map((r) => [r.pid, r.label, r.total])).toEqual([
      [10, 'GET', 100],
      [10, 'POST', 2],
      [11, 'GET', 1],
    ]);
    expect(stats.rows('status').map((r) => [r.label, r.total])).toEqual([
      ['200', 100],
      ['503', 1],
      ['ERR', 1],
      ['404', 1],
    ]);
    expect(stats.rows('endpoint').map((r) => r.label)).toEqual([
      'api.test/v1/users/:id',
      'other.test/a',
      'virtual.test/v1/users/:id',
    ]);
  });

  it('the rate counts the complete seconds of the last five', () => {
    let now = 100;
    const stats = new TopStats(() => now);
    stats.add(event());
    expect(stats.rate()).toBe(0);
    now = 105;
    expect(stats.rate()).toBe(0.2);
    now = 106;
    expect(stats.rate()).toBe(0);
  });
});
