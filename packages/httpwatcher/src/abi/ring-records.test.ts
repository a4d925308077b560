import { describe, expect, it } from 'vitest';
import { MonotonicClock } from '../monotonic-clock.js';
import {
  CallEndKind,
  callEndLayout as C,
  EventKind,
  eventLayout as E,
  LifecycleKind,
  lifecycleLayout as L,
  ResponseKind,
  responseLayout as R,
} from './bpf-abi.js';
import { decodeEvent } from './decode-event.js';
import { dispatchRecord, recordsOf, type RequestDecoder } from './ring-records.js';

type Call = ['lifecycle' | 'response' | 'callEnd', unknown] | ['request', RequestDecoder];

/** The handler calls dispatchRecord makes for one record. */
function dispatched(record: Buffer): Call[] {
  const calls: Call[] = [];
  dispatchRecord(record, {
    lifecycle: (r) => calls.push(['lifecycle', r]),
    response: (r) => calls.push(['response', r]),
    callEnd: (pid, g) => calls.push(['callEnd', { pid, g }]),
    request: (r, decode) => {
      expect(r).toBe(record);
      calls.push(['request', decode]);
    },
  });
  return calls;
}

function withKind(size: number, kind: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt8(kind, E.kind);
  return b;
}

describe('recordsOf', () => {
  it('splits a batch of [u32 size][u32 shape id][record][pad to 8] frames', () => {
    const batch = Buffer.alloc(32);
    batch.writeUInt32LE(3, 0);
    batch.writeUInt32LE(9, 4);
    batch.write('abc', 8);
    batch.writeUInt32LE(5, 16);
    batch.write('defgh', 24);
    expect([...recordsOf(batch)].map((r) => r.toString())).toEqual(['abc', 'defgh']);
    expect(() => [...recordsOf(batch.subarray(0, 28))]).toThrow(/overruns its batch/);
  });
});

describe('dispatchRecord', () => {
  it('hands a request record, undecoded, to the request handler with decodeEvent', () => {
    expect(dispatched(withKind(E.size, EventKind.request))).toEqual([['request', decodeEvent]]);
  });

  it('decodes a response record for the response handler', () => {
    const record = withKind(R.size, ResponseKind);
    record.writeUInt32LE(4242, R.tgid);
    record.writeUInt16LE(204, R.status);
    expect(dispatched(record)).toEqual([
      [
        'response',
        {
          pid: 4242,
          via: 'client',
          requestPtr: 0n,
          startNs: 0n,
          endNs: 0n,
          status: 204,
          error: false,
          readError: false,
        },
      ],
    ]);
  });

  it('decodes a client-call end record for the callEnd handler, and rejects a short one', () => {
    const record = withKind(C.size, CallEndKind);
    record.writeUInt32LE(4242, C.tgid);
    record.writeBigUInt64LE(0xc000123456n, C.g);
    expect(dispatched(record)).toEqual([['callEnd', { pid: 4242, g: 0xc000123456n }]]);
    expect(() => dispatched(withKind(C.size - 1, CallEndKind))).toThrow(/call-end record of 47 bytes, expected 48/);
  });

  it('decodes exec and exit records for the lifecycle handler', () => {
    const exec = withKind(L.size, LifecycleKind.exec);
    exec.writeUInt32LE(1000, L.tgid);
    const exit = withKind(L.size, LifecycleKind.exit);
    exit.writeUInt32LE(1001, L.tgid);
    expect(dispatched(exec)).toEqual([['lifecycle', expect.objectContaining({ kind: 'exec', pid: 1000 })]]);
    expect(dispatched(exit)).toEqual([['lifecycle', expect.objectContaining({ kind: 'exit', pid: 1001 })]]);
  });

  it('hands a record of unknown kind to the request handler with a decoder that rejects it', () => {
    const calls = dispatched(withKind(E.size, 99));
    expect(calls.map(([handler]) => handler)).toEqual(['request']);
    const [, decode] = calls[0] as ['request', RequestDecoder];
    expect(() => decode(withKind(E.size, 99), new MonotonicClock(0, 0n))).toThrow(/unknown record kind 99/);
  });

  it('hands a record too short to have a kind to the request handler with a decoder that rejects it', () => {
    const short = Buffer.alloc(8);
    const calls = dispatched(short);
    expect(calls.map(([handler]) => handler)).toEqual(['request']);
    const [, decode] = calls[0] as ['request', RequestDecoder];
    expect(() => decode(short, new MonotonicClock(0, 0n))).toThrow(/record of 8 bytes has no kind byte/);
  });

  it('lets a decoder error of a response or lifecycle record reach the caller', () => {
    expect(() => dispatched(withKind(R.size - 1, ResponseKind))).toThrow(/expected 56/);
    expect(() => dispatched(withKind(L.size - 1, LifecycleKind.exit))).toThrow(RangeError);
  });
});
