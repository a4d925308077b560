import { describe, expect, it } from 'vitest';
import type { HttpRequestEvent } from './http-event.js';
import { requestEvent } from './test-support/request-event.js';
import { TransportJoin } from './transport-join.js';

function joined(maxOpen = 8, maxHoldMs = 60_000) {
  const out: HttpRequestEvent[] = [];
  let now = 0;
  const join = new TransportJoin(
    maxOpen,
    maxHoldMs,
    (e) => out.push(e),
    () => now,
  );
  const client = (pid: number, g: bigint, url: string) =>
    join.request({ event: requestEvent(pid, 1n, url), via: 'client', g, requestPtr: 0xc1n });
  const transport = (pid: number, g: bigint, url: string) =>
    join.request({ event: requestEvent(pid, 2n, url), via: 'transport', g, requestPtr: 0xc2n });
  const summary = () => out.map((e) => [e.url, e.via, e.hop, e.originalUrl]);
  return { join, out, client, transport, summary, advance: (ms: number) => (now += ms) };
}

describe('TransportJoin', () => {
  it('reports each hop of a client call from the transport, numbered, with the original URL, and not the call itself', () => {
    const { join, client, transport, summary } = joined();
    client(1, 0xc0n, 'http://a/start');
    transport(1, 0xc0n, 'http://a/start');
    transport(1, 0xc0n, 'http://a/next');
    transport(1, 0xc0n, 'http://b/last');
    join.callEnd(1, 0xc0n);
    expect(summary()).toEqual([
      ['http://a/start', 'client', 0, 'http://a/start'],
      ['http://a/next', 'client', 1, 'http://a/start'],
      ['http://b/last', 'client', 2, 'http://a/start'],
    ]);
    expect([join.size, join.released, join.orphans]).toEqual([0, 0, 0]);
  });

  it('reports a transport request with no open call on its goroutine as via transport, hop 0', () => {
    const { client, transport, summary } = joined();
    client(1, 0xc0n, 'http://a/');
    transport(1, 0xd0n, 'http://proxy/');
    transport(2, 0xc0n, 'http://other-process/');
    transport(1, 0n, 'http://no-goroutine/');
    expect(summary()).toEqual([
      ['http://proxy/', 'transport', 0, undefined],
      ['http://other-process/', 'transport', 0, undefined],
      ['http://no-goroutine/', 'transport', 0, undefined],
    ]);
  });

  it('reports a call that ends without reaching the transport once, from its client record', () => {
    const { join, client, summary } = joined();
    client(1, 0xc0n, 'http://custom-roundtripper/');
    expect(summary()).toEqual([]);
    join.callEnd(1, 0xc0n);
    join.callEnd(1, 0xc0n);
    expect(summary()).toEqual([['http://custom-roundtripper/', 'client', 0, undefined]]);
    expect(join.orphans).toBe(1);
  });

  it('reports a client record without a goroutine at once', () => {
    const { join, client, summary } = joined();
    client(1, 0n, 'http://a/');
    expect(summary()).toEqual([['http://a/', 'client', 0, undefined]]);
    expect(join.size).toBe(0);
  });

  it('gives the hops of a nested call (a RoundTripper that sends its own request) to the innermost call', () => {
    const { join, client, transport, summary } = joined();
    client(1, 0xc0n, 'http://outer/');
    client(1, 0xc0n, 'http://token/');
    transport(1, 0xc0n, 'http://token/');
    join.callEnd(1, 0xc0n);
    transport(1, 0xc0n, 'http://outer/');
    join.callEnd(1, 0xc0n);
    expect(summary()).toEqual([
      ['http://token/', 'client', 0, 'http://token/'],
      ['http://outer/', 'client', 0, 'http://outer/'],
    ]);
  });

  it('bounds open calls: the oldest is let go past maxOpen, calls past the hold time, and those of an exited process', () => {
    const { join, client, transport, summary, advance } = joined(2, 5_000);
    client(1, 1n, 'http://first/');
    advance(1);
    client(1, 2n, 'http://second/');
    transport(1, 2n, 'http://second/');
    client(1, 3n, 'http://third/'); // lets the first go, reported from its client record
    expect(summary()).toEqual([
      ['http://second/', 'client', 0, 'http://second/'],
      ['http://first/', 'client', 0, undefined],
    ]);
    advance(6_000);
    join.expire(); // second (already reported) and third go
    expect(summary().slice(2)).toEqual([['http://third/', 'client', 0, undefined]]);
    client(2, 1n, 'http://exiting/');
    join.processExited(2);
    expect(summary().slice(3)).toEqual([['http://exiting/', 'client', 0, undefined]]);
    expect([join.size, join.released]).toEqual([0, 4]);
    client(3, 1n, 'http://at-close/');
    join.drain();
    expect(summary().slice(4)).toEqual([['http://at-close/', 'client', 0, undefined]]);
  });
});
