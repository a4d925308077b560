import { Via, eventLayout as E } from './bpf-abi.js';
import type { HttpRequestEvent } from '../http-event.js';
import type { MonotonicClock } from '../monotonic-clock.js';
import { DecodeError } from './decode-error.js';
import { decodeRequestShape, type ImageTextSource } from './decode-request-shape.js';

export type { ImageTextSource } from './decode-request-shape.js';

/**
 * Decodes one `struct hw_event` record (bpf/httpwatcher.h): its request (decodeRequestShape) and
 * its call. Its kind was read by dispatchRecord, which hands only request records here.
 */
export function decodeEvent(record: Buffer, clock: MonotonicClock, images?: ImageTextSource): HttpRequestEvent {
  const shape = decodeRequestShape(record, images);
  const ktimeLow = record.readUInt32LE(E.ktimeNs);
  const ktimeHigh = record.readUInt32LE(E.ktimeNs + 4);
  // Below 2^53 ns (104 days of uptime) a number holds the count exactly: one bigint, no bigint arithmetic.
  const exact = ktimeHigh < 0x200000;
  const monotonicNs = exact ? BigInt(ktimeHigh * 0x1_0000_0000 + ktimeLow) : record.readBigUInt64LE(E.ktimeNs);
  const goid = record.readUInt32LE(E.goid + 4) * 0x1_0000_0000 + record.readUInt32LE(E.goid);
  return {
    kind: 'request',
    pid: record.readUInt32LE(E.tgid),
    nsPid: record.readUInt32LE(E.nsTgid),
    tid: record.readUInt32LE(E.tid),
    goid: goid === 0 ? undefined : goid,
    method: shape.method,
    url: shape.url,
    host: shape.host,
    headers: shape.headers,
    headerCount: shape.headerCount,
    userinfo: shape.userinfo,
    truncated: shape.truncated,
    incomplete: shape.incomplete,
    monotonicNs,
    time: exact ? clock.dateOfNs(ktimeHigh * 0x1_0000_0000 + ktimeLow) : clock.toDate(monotonicNs),
  };
}

/** The process a request record came from, read without decoding the rest; 0 when the record is too short to say. */
export function pidOf(record: Buffer): number {
  return record.length >= E.tgid + 4 ? record.readUInt32LE(E.tgid) : 0;
}

/** The *http.Request a request record was written for: with its pid and time, what its call's response names. */
export function requestPointerOf(record: Buffer): bigint {
  return record.readBigUInt64LE(E.requestPtr);
}

/**
 * Which probe wrote a request record, the goroutine (runtime.g pointer, 0n when unknown) it ran on,
 * and the *http.Request it names.
 */
export function joinFieldsOf(record: Buffer): { via: 'client' | 'transport'; g: bigint; requestPtr: bigint } {
  if (record.length < E.size) throw new DecodeError(`request record of ${record.length} bytes, expected ${E.size}`);
  return {
    via: record[E.via] === Via.transport ? 'transport' : 'client',
    g: record.readBigUInt64LE(E.g),
    requestPtr: record.readBigUInt64LE(E.requestPtr),
  };
}
