import {
  EventFlag,
  EventKind,
  HeaderFlag,
  eventLayout as E,
  headerEntryLayout as H,
  stringFields,
  type StringField,
} from './bpf-abi.js';
import { goUrlString } from './go-url.js';
import type { HttpRequestEvent } from './http-event.js';
import type { MonotonicClock } from './monotonic-clock.js';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/** Splits a native batch ([u32 size][record][pad to 8] ...) into records. */
export function* recordsOf(batch: Buffer): Generator<Buffer> {
  let at = 0;
  while (at + 4 <= batch.length) {
    const size = batch.readUInt32LE(at);
    const start = at + 4;
    if (start + size > batch.length) throw new DecodeError(`record of ${size} bytes overruns its batch at ${at}`);
    yield batch.subarray(start, start + size);
    at = (start + size + 7) & ~7;
  }
}

/** Decodes one `struct hw_event` record (bpf/httpwatcher.h). */
export function decodeEvent(record: Buffer, clock: MonotonicClock): HttpRequestEvent {
  if (record.length < E.size) throw new DecodeError(`record of ${record.length} bytes is shorter than its header`);
  const kind = record.readUInt8(E.kind);
  if (kind !== EventKind.request) throw new DecodeError(`unknown record kind ${kind}`);
  const flags = record.readUInt32LE(E.flags);
  const truncatedBits = record.readUInt16LE(E.truncated);

  let at = E.size;
  const take = (length: number): Buffer => {
    if (at + length > record.length) throw new DecodeError(`field of ${length} bytes overruns the record`);
    const bytes = record.subarray(at, at + length);
    at += length;
    return bytes;
  };
  const strings = {} as Record<StringField, Buffer>;
  stringFields.forEach((name, i) => {
    strings[name] = take(record.readUInt16LE(E.strLen + 2 * i));
  });

  const headers: Record<string, string> = {};
  const headerKeys: string[] = [];
  const headerValues: string[] = [];
  const nheaders = record.readUInt8(E.nheaders);
  // A Go map holds each key once: the same key twice means the walk saw a map being written.
  let duplicateKey = false;
  for (let i = 0; i < nheaders; i++) {
    const entry = take(H.size);
    const key = take(entry.readUInt16LE(H.keyLen)).toString('utf8');
    const value = take(entry.readUInt16LE(H.valueLen)).toString('utf8');
    const hflags = entry.readUInt8(H.flags);
    const keyCut = (hflags & HeaderFlag.keyTruncated) !== 0;
    if (Object.hasOwn(headers, key)) {
      // Keys longer than the limit may share their first MAX_KEY bytes; any other repeat is torn.
      duplicateKey ||= !keyCut && !headerKeys.includes(key);
      continue;
    }
    if (keyCut) headerKeys.push(key);
    if (hflags & HeaderFlag.valueTruncated) headerValues.push(key);
    // defineProperty, not assignment: a header named "__proto__" is data, not a prototype.
    Object.defineProperty(headers, key, { value, enumerable: true, writable: true, configurable: true });
  }

  const urlHost = strings.host;
  const requestHost = strings.requestHost;
  const monotonicNs = record.readBigUInt64LE(E.ktimeNs);
  const goid = record.readBigUInt64LE(E.goid);
  return {
    kind: 'request',
    pid: record.readUInt32LE(E.tgid),
    nsPid: record.readUInt32LE(E.nsTgid),
    tid: record.readUInt32LE(E.tid),
    goid: goid === 0n ? undefined : Number(goid),
    method: strings.method.toString('utf8'),
    url:
      flags & EventFlag.noUrl
        ? ''
        : goUrlString({
            scheme: strings.scheme,
            opaque: strings.opaque,
            host: urlHost,
            path: strings.path,
            rawPath: strings.rawPath,
            rawQuery: strings.rawQuery,
            fragment: strings.fragment,
            rawFragment: strings.rawFragment,
            forceQuery: (flags & EventFlag.forceQuery) !== 0,
            hasUserinfo: (flags & EventFlag.userinfo) !== 0,
          }),
    host: requestHost.length > 0 && !requestHost.equals(urlHost) ? requestHost.toString('utf8') : undefined,
    headers,
    headerCount: record.readUInt16LE(E.nheadersTotal),
    userinfo: (flags & EventFlag.userinfo) !== 0,
    truncated: {
      fields: stringFields.filter((_, i) => truncatedBits & (1 << i)),
      headers: (flags & EventFlag.headersTruncated) !== 0,
      headerKeys,
      headerValues,
    },
    incomplete: (flags & (EventFlag.headersIncomplete | EventFlag.readError)) !== 0 || duplicateKey,
    monotonicNs,
    time: clock.toDate(monotonicNs),
  };
}
