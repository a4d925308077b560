import {
  EventFlag,
  HeaderFlag,
  IMAGE_OFFSET_BYTES,
  eventLayout as E,
  headerEntryLayout as H,
  MAX_KEY,
  MAX_VALUE,
  stringFields,
} from './bpf-abi.js';
import { goUrlOf } from '../go-url.js';
import type { HttpRequestShape } from '../http-request-view.js';
import { TextCache } from '../text-cache.js';
import { DecodeError } from './decode-error.js';

const [METHOD, SCHEME, HOST, REQUEST_HOST] = ['method', 'scheme', 'host', 'requestHost'].map((f) =>
  stringFields.indexOf(f as (typeof stringFields)[number]),
) as [number, number, number, number];

/** Where each string field of the record being decoded lies: field i is bytes [bounds[i], bounds[i + 1]). */
const bounds = new Int32Array(stringFields.length + 1);

const noStrings: readonly string[] = Object.freeze([]);
const nothingCut: HttpRequestShape['truncated'] = Object.freeze({
  fields: noStrings,
  headers: false,
  headerKeys: noStrings,
  headerValues: noStrings,
});

const overrun = (length: number): DecodeError => new DecodeError(`field of ${length} bytes overruns the record`);

/** Short strings that repeat: methods, hosts and header keys (`names`), and header values. */
const names = new TextCache(1024, MAX_KEY);
const values = new TextCache(4096, MAX_VALUE);

function sameBytes(b: Buffer, start: number, end: number, otherStart: number, otherEnd: number): boolean {
  if (end - start !== otherEnd - otherStart) return false;
  for (let i = start, j = otherStart; i < end; i++, j++) if (b[i] !== b[j]) return false;
  return true;
}

/** Reads strings that a record names by their offset into its binary's read-only data (see ImageTexts). */
export interface ImageTextSource {
  text(binaryId: number, offset: number, bytes: number): string | undefined;
}

/** The string whose 8-byte offset into the binary's image is at `at`, or undefined when it cannot be read. */
function imageText(
  record: Buffer,
  at: number,
  bytes: number,
  binaryId: number,
  images: ImageTextSource | undefined,
): string | undefined {
  return images?.text(binaryId, record.readUInt32LE(at + 4) * 0x1_0000_0000 + record.readUInt32LE(at), bytes);
}

/**
 * Decodes what a `struct hw_event` record (bpf/httpwatcher.h) says of the request itself: its
 * method, URL, Host and headers, and what was cut or could not be read. What the call adds (its
 * process, thread, goroutine and time) is read by decodeEvent and RequestRecordView.
 */
export function decodeRequestShape(record: Buffer, images?: ImageTextSource): HttpRequestShape {
  const length = record.length;
  if (length < E.size) throw new DecodeError(`record of ${length} bytes is shorter than its header`);
  const flags = record.readUInt32LE(E.flags);
  const truncatedBits = record.readUInt16LE(E.truncated);

  let at = E.size;
  for (let i = 0; i < stringFields.length; i++) {
    bounds[i] = at;
    const size = record.readUInt16LE(E.strLen + 2 * i);
    at += size;
    if (at > length) throw overrun(size);
  }
  bounds[stringFields.length] = at;

  const headers: Record<string, string> = {};
  let headerKeys: string[] | undefined;
  let headerValues: string[] | undefined;
  const nheaders = record[E.nheaders]!;
  // A Go map holds each key once: the same key twice means the walk saw a map being written.
  let duplicateKey = false;
  // A string in a binary's image that can no longer be read: the event says it is incomplete.
  let unreadable = false;
  const binaryId = record.readUInt32LE(E.binaryId);
  for (let i = 0; i < nheaders; i++) {
    if (at + H.size > length) throw overrun(H.size);
    const keyStart = at + H.size;
    const keySize = record.readUInt16LE(at + H.keyLen);
    const valueSize = record.readUInt16LE(at + H.valueLen);
    const hflags = record[at + H.flags]!;
    const keyInImage = (hflags & HeaderFlag.keyInImage) !== 0;
    const valueInImage = (hflags & HeaderFlag.valueInImage) !== 0;
    const valueStart = keyStart + (keyInImage ? IMAGE_OFFSET_BYTES : keySize);
    if (valueStart > length) throw overrun(keySize);
    at = valueStart + (valueInImage ? IMAGE_OFFSET_BYTES : valueSize);
    if (at > length) throw overrun(valueSize);
    let key: string;
    if (keyInImage) {
      const text = imageText(record, keyStart, keySize, binaryId, images);
      unreadable ||= text === undefined;
      key = text ?? '';
    } else {
      key = names.decode(record, keyStart, valueStart);
    }
    const keyCut = (hflags & HeaderFlag.keyTruncated) !== 0;
    if (Object.hasOwn(headers, key)) {
      // Keys longer than the limit may share their first MAX_KEY bytes; any other repeat is torn.
      duplicateKey ||= !keyCut && !headerKeys?.includes(key);
      continue;
    }
    if (keyCut) {
      headerKeys ??= [];
      headerKeys.push(key);
    }
    if (hflags & HeaderFlag.valueTruncated) {
      headerValues ??= [];
      headerValues.push(key);
    }
    let value: string;
    if (valueInImage) {
      const text = imageText(record, valueStart, valueSize, binaryId, images);
      unreadable ||= text === undefined;
      value = text ?? '';
    } else {
      value = values.decode(record, valueStart, at);
    }
    // defineProperty, not assignment: a header named "__proto__" is data, not a prototype.
    if (key === '__proto__')
      Object.defineProperty(headers, key, { value, enumerable: true, writable: true, configurable: true });
    else headers[key] = value;
  }

  const headersCut = (flags & EventFlag.headersTruncated) !== 0;
  const truncated =
    truncatedBits === 0 && !headersCut && headerKeys === undefined && headerValues === undefined
      ? nothingCut
      : {
          fields: truncatedBits === 0 ? noStrings : stringFields.filter((_, i) => truncatedBits & (1 << i)),
          headers: headersCut,
          headerKeys: headerKeys ?? noStrings,
          headerValues: headerValues ?? noStrings,
        };

  const hostStart = bounds[HOST]!;
  const hostEnd = bounds[HOST + 1]!;
  const requestHostStart = bounds[REQUEST_HOST]!;
  const requestHostEnd = bounds[REQUEST_HOST + 1]!;
  return {
    method: names.decode(record, bounds[METHOD]!, bounds[METHOD + 1]!),
    url:
      flags & EventFlag.noUrl
        ? ''
        : goUrlOf(record, bounds, SCHEME, (flags & EventFlag.forceQuery) !== 0, (flags & EventFlag.userinfo) !== 0),
    host:
      requestHostEnd > requestHostStart && !sameBytes(record, requestHostStart, requestHostEnd, hostStart, hostEnd)
        ? names.decode(record, requestHostStart, requestHostEnd)
        : undefined,
    headers,
    headerCount: record.readUInt16LE(E.nheadersTotal),
    userinfo: (flags & EventFlag.userinfo) !== 0,
    truncated,
    incomplete: (flags & (EventFlag.headersIncomplete | EventFlag.readError)) !== 0 || duplicateKey || unreadable,
  };
}
