import { describe, expect, it } from 'vitest';
import { decodeEvent, requestPointerOf } from './abi/decode-event.js';
import { decodeResponse, type ResponseRecord } from './abi/decode-response.js';
import type { HttpRequestEvent } from './http-event.js';
import { MonotonicClock } from './monotonic-clock.js';
import { ResponseJoin } from './response-join.js';
import { requestEvent } from './test-support/request-event.js';
import { requestRecord, responseRecord } from './test-support/ring-records.js';

function response(
  pid: number,
  requestPtr: bigint,
  startNs: bigint,
  endNs: bigint,
  status: number | undefined,
  error = false,
  via: 'client' | 'transport' = 'client',
): ResponseRecord {
  return { pid, via, requestPtr, startNs, endNs, status, error, readError: false };
}

function joined(maxPending = 8): { join: ResponseJoin; out: HttpRequestEvent[] } {
  const out: HttpRequestEvent[] = [];
  return { join: new ResponseJoin(maxPending, (e) => out.push(e)), out };
}

describe('ResponseJoin', () => {
  it('emits a request only when its call returns, with status, error and duration', () => {
    const { join, out } = joined();
    join.request(requestEvent(7, 1000n, 'http://a/'), 0xc000n);
    expect(out).toEqual([]);
    join.response(response(7, 0xc000n, 1000n, 1_501_000n, 404));
    expect(out).toEqual([{ ...requestEvent(7, 1000n, 'http://a/'), status: 404, error: false, durationNs: 1_500_000 }]);
    expect(join.size).toBe(0);
  });

  it('tells apart calls that reuse a request pointer by their start time, and processes by pid', () => {
    const { join, out } = joined();
    join.request(requestEvent(7, 1000n, 'http://first/'), 0xc000n);
    join.request(requestEvent(7, 2000n, 'http://second/'), 0xc000n);
    join.request(requestEvent(8, 1000n, 'http://other-process/'), 0xc000n);
    join.response(response(7, 0xc000n, 2000n, 2500n, 200));
    join.response(response(8, 0xc000n, 1000n, 1100n, 500));
    expect(out.map((e) => [e.url, e.status, e.durationNs])).toEqual([
      ['http://second/', 200, 500],
      ['http://other-process/', 500, 100],
    ]);
  });

  it('gives an error without a status when do() returned no response', () => {
    const { join, out } = joined();
    join.request(requestEvent(7, 10n, 'http://refused/'), 1n);
    join.response(response(7, 1n, 10n, 30n, undefined, true));
    expect(out[0]).toMatchObject({ error: true, durationNs: 20 });
    expect(out[0]).not.toHaveProperty('status');
  });

  it('counts a response whose request it never saw, and emits nothing for it', () => {
    const { join, out } = joined();
    join.response(response(7, 1n, 10n, 30n, 200));
    expect([out.length, join.orphans]).toEqual([0, 1]);
  });

  it('emits the oldest waiting request without response fields when more than maxPending wait', () => {
    const { join, out } = joined(2);
    for (let i = 0; i < 3; i++) join.request(requestEvent(7, BigInt(i), `http://h/${i}`), 1n);
    expect(out.map((e) => e.url)).toEqual(['http://h/0']);
    expect(out[0]).not.toHaveProperty('durationNs');
    expect([join.size, join.evicted]).toEqual([2, 1]);
  });

  it('emits the calls in flight of an exited process, and only those', () => {
    const { join, out } = joined();
    join.request(requestEvent(7, 1n, 'http://seven/'), 1n);
    join.request(requestEvent(8, 1n, 'http://eight/'), 1n);
    join.processExited(7);
    expect(out.map((e) => e.url)).toEqual(['http://seven/']);
    join.drain();
    expect(out.map((e) => e.url)).toEqual(['http://seven/', 'http://eight/']);
    expect(join.size).toBe(0);
  });

  it('joins a request record and the response record of the same call, as the kernel writes them', () => {
    const req = requestRecord({ pid: 4242, requestPtr: 0xc000123400n, ktimeNs: 1_000n });
    const res = responseRecord({ pid: 4242, requestPtr: 0xc000123400n, startNs: 1_000n, endNs: 5_000n, status: 200 });
    const { join, out } = joined();
    join.request(decodeEvent(req, new MonotonicClock(0, 0n)), requestPointerOf(req));
    join.response(decodeResponse(res));
    expect(out.map((e) => [e.pid, e.monotonicNs, e.status, e.durationNs])).toEqual([[4242, 1_000n, 200, 4_000]]);
    expect([join.size, join.orphans]).toEqual([0, 0]);
  });

  it('tells apart the Client.do and roundTrip calls of one request by the function that returned', () => {
    const { join, out } = joined();
    join.request(requestEvent(7, 1000n, 'http://hop/'), 0xc000n, 'transport');
    join.response(response(7, 0xc000n, 1000n, 3000n, 200, false, 'client'));
    expect([out.length, join.orphans]).toEqual([0, 1]);
    join.response(response(7, 0xc000n, 1000n, 2000n, 302, false, 'transport'));
    expect(out.map((e) => [e.url, e.status, e.durationNs])).toEqual([['http://hop/', 302, 1000]]);
  });

  it('drops the Client.do return of a call its hops answered without counting it, once', () => {
    const { join, out } = joined(2);
    join.hopsAnswered(7, 0xc000n, 1000n);
    join.response(response(7, 0xc000n, 1000n, 9000n, 200));
    expect([out.length, join.orphans]).toEqual([0, 0]);
    join.response(response(7, 0xc000n, 1000n, 9000n, 200));
    expect(join.orphans).toBe(1);
    join.hopsAnswered(8, 0xc000n, 1000n);
    join.processExited(8);
    join.response(response(8, 0xc000n, 1000n, 9000n, 200));
    expect(join.orphans).toBe(2);
  });
});
