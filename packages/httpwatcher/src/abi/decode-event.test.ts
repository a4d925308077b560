import { describe, expect, it } from 'vitest';
import { EventFlag, HeaderFlag, eventLayout as E, stringFields } from './bpf-abi.js';
import { DecodeError } from './decode-error.js';
import { decodeEvent } from './decode-event.js';
import { urlFields } from '../go-url.js';
import { MonotonicClock } from '../monotonic-clock.js';
import { requestRecord } from '../test-support/ring-records.js';

const clock = new MonotonicClock(0, 0n);

const url = { scheme: 'http', host: 'example.test', path: '/a' };

describe('decodeEvent', () => {
  it('reads keys and values sent as offsets from the binary the record names, with their lengths', () => {
    const asked: Array<[number, number, number]> = [];
    const image = new Map([
      [0x5000, 'Content-Type'],
      [0x5100, 'application/json'],
    ]);
    const images = {
      text: (binaryId: number, offset: number, bytes: number) => {
        asked.push([binaryId, offset, bytes]);
        return binaryId === 7 ? image.get(offset)?.slice(0, bytes) : undefined;
      },
    };
    const ev = decodeEvent(
      requestRecord({
        strings: { method: 'GET', ...url },
        binaryId: 7,
        headers: [
          { key: 'Content-Type', value: 'application/json', keyOffset: 0x5000n, valueOffset: 0x5100n },
          { key: 'X-Heap', value: 'v1' },
          { key: 'Accept', value: 'Content', valueOffset: 0x5000n },
        ],
      }),
      clock,
      images,
    );
    expect(ev.headers).toEqual({ 'Content-Type': 'application/json', 'X-Heap': 'v1', Accept: 'Content' });
    expect(ev.incomplete).toBe(false);
    expect(asked).toEqual([
      [7, 0x5000, 12],
      [7, 0x5100, 16],
      [7, 0x5000, 7],
    ]);
  });

  it('marks an event incomplete when a string sent as an offset cannot be read', () => {
    const ev = decodeEvent(
      requestRecord({
        strings: { method: 'GET', ...url },
        binaryId: 9,
        headers: [{ key: 'Accept', value: 'x', keyOffset: 0x5000n }],
      }),
      clock,
      { text: () => undefined },
    );
    expect([ev.headers, ev.incomplete]).toEqual([{ '': 'x' }, true]);
  });

  it('decodes method, URL, headers and counts', () => {
    const ev = decodeEvent(
      requestRecord({
        strings: { method: 'GET', ...url, requestHost: 'example.test' },
        headers: [{ key: 'Accept', value: 'a, b', nvalues: 2 }],
      }),
      clock,
    );
    expect([ev.pid, ev.method, ev.url, ev.host, ev.headers, ev.headerCount, ev.incomplete]).toEqual([
      42,
      'GET',
      'http://example.test/a',
      undefined,
      { Accept: 'a, b' },
      1,
      false,
    ]);
    expect(ev.time.getTime()).toBe(1_000);
  });

  it('names the cut string fields and header keys and values', () => {
    const ev = decodeEvent(
      requestRecord({
        strings: { method: 'GET', ...url },
        truncated: (1 << stringFields.indexOf('path')) | (1 << stringFields.indexOf('method')),
        flags: EventFlag.headersTruncated,
        total: 17,
        headers: [
          { key: 'K'.repeat(64), value: 'v', flags: HeaderFlag.keyTruncated },
          { key: 'X-Long', value: 'x'.repeat(512), flags: HeaderFlag.valueTruncated },
        ],
      }),
      clock,
    );
    expect(ev.truncated).toEqual({
      fields: ['method', 'path'],
      headers: true,
      headerKeys: ['K'.repeat(64)],
      headerValues: ['X-Long'],
    });
    expect(ev.headerCount).toBe(17);
  });

  it('keeps a header named __proto__ as an ordinary own property', () => {
    const ev = decodeEvent(requestRecord({ strings: url, headers: [{ key: '__proto__', value: 'data' }] }), clock);
    expect(Object.keys(ev.headers)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(ev.headers, '__proto__')?.value).toBe('data');
    expect(Object.getPrototypeOf(ev.headers)).toBe(Object.prototype);
  });

  it('marks an event incomplete when the same whole key comes twice (a map torn by a writer)', () => {
    const twice = [
      { key: 'X-A', value: '1' },
      { key: 'X-A', value: '2' },
    ];
    const ev = decodeEvent(requestRecord({ strings: url, headers: twice }), clock);
    expect([ev.incomplete, ev.headers]).toEqual([true, { 'X-A': '1' }]);
  });

  it('accepts two long keys that share their first 64 bytes', () => {
    const cut = 'K'.repeat(64);
    const ev = decodeEvent(
      requestRecord({
        strings: url,
        headers: [
          { key: cut, value: '1', flags: HeaderFlag.keyTruncated },
          { key: cut, value: '2', flags: HeaderFlag.keyTruncated },
        ],
      }),
      clock,
    );
    expect([ev.incomplete, ev.truncated.headerKeys]).toEqual([false, [cut]]);
  });

  it('reports a Request.Host that differs from the URL host', () => {
    const ev = decodeEvent(requestRecord({ strings: { ...url, requestHost: 'virtual.test' } }), clock);
    expect(ev.host).toBe('virtual.test');
  });

  it('marks read errors as incomplete and a nil URL as an empty one', () => {
    const ev = decodeEvent(
      requestRecord({ strings: { method: 'GET' }, flags: EventFlag.readError | EventFlag.noUrl }),
      clock,
    );
    expect([ev.incomplete, ev.url]).toEqual([true, '']);
  });

  it('decodes a header-only record (the request pointer itself was unreadable) as an incomplete event, not an error', () => {
    const ev = decodeEvent(requestRecord({ strings: {}, flags: EventFlag.readError }), clock);
    expect([ev.incomplete, ev.method, ev.url, Object.keys(ev.headers).length]).toEqual([true, '', '', 0]);
  });

  it('keeps every bit of the timestamp and goroutine id, beyond 2^53 and 2^32', () => {
    const rec = requestRecord({ strings: url });
    rec.writeBigUInt64LE(2n ** 60n + 123_456_789n, E.ktimeNs);
    rec.writeBigUInt64LE(2n ** 32n + 7n, E.goid);
    const ev = decodeEvent(rec, clock);
    expect([ev.monotonicNs, ev.goid, ev.time.getTime()]).toEqual([
      2n ** 60n + 123_456_789n,
      2 ** 32 + 7,
      Number((2n ** 60n + 123_456_789n) / 1_000_000n),
    ]);
  });

  it('decodes the URL fields in the order goUrlOf reads them', () => {
    expect(
      stringFields.slice(stringFields.indexOf('scheme'), stringFields.indexOf('scheme') + urlFields.length),
    ).toEqual(urlFields);
  });

  it('rejects records that are short or overrun by a field', () => {
    expect(() => decodeEvent(Buffer.alloc(E.size - 1), clock)).toThrow(DecodeError);
    const overrun = requestRecord({ strings: { path: '/abc' } });
    expect(() => decodeEvent(overrun.subarray(0, overrun.length - 1), clock)).toThrow(/overruns the record/);
  });
});
