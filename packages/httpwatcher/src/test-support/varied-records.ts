import {
  EventFlag,
  eventLayout as E,
  HeaderFlag,
  MAX_HEADERS,
  type StringField,
  stringFields,
} from '../abi/bpf-abi.js';
import { type RequestRecordSpec, requestRecord } from './ring-records.js';
import { hostileHeaderKeys, hostileTexts } from '@httpwatcher/test-support/hostile-texts';

export { seededRandom } from '@httpwatcher/test-support/seeded-random';

/** Marks where `hostileBytes` go into a record: the bytes a JS string cannot carry (invalid UTF-8). */
const marker = '~!~';
const hostileBytes = [
  [0xff, 0xfe, 0x80], // never valid in UTF-8
  [0xc3, 0x28, 0x41], // a lead byte without its continuation
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xe2, 0x82, 0x41], // a sequence cut short
] as const;

/** Hostile texts, and marked invalid bytes. */
const texts = [...hostileTexts, `bad ${marker} utf8`, `${marker}`, '%41%zz%', 'sp ace+plus'];
const hosts = ['api.test', 'api.test:8443', '[::1]:80', 'h\u00e9.test', `h${marker}.test`, 'a"b\\c'] as const;
const paths = ['/', '/v1/items', '/a b/ü', '/%2F/x', `/bad${marker}`, '/\u0001\u009b', 'rel:ative'] as const;
const queries = ['', 'limit=10', 'access_token=abc&x=1', 'code=1&state=2', 'api%5Fkey=s&ok=1', `q=${marker}`] as const;
const fragments = ['', 'top', 'access_token=t&b', '\u0085x'] as const;
const headerKeys = [...hostileHeaderKeys, 'User-Agent', `K${marker}`, 'k'.repeat(64)];
const headerValues = ['application/json', 'Bearer abc.def', 'Basic dXNlcg==', 'secret', ...texts] as const;

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** The specification of one request shape: strings, headers, flags and truncation, hostile ones included. */
export function variedShape(random: () => number): RequestRecordSpec {
  const strings: Partial<Record<StringField, string>> = {
    method: pick(random, ['GET', 'POST', 'DELETE', 'g\u0085t', ...texts]),
    scheme: pick(random, ['http', 'https', '']),
    host: pick(random, hosts),
    path: pick(random, paths),
    rawQuery: pick(random, queries),
    fragment: pick(random, fragments),
  };
  if (random() < 0.1) strings.opaque = pick(random, texts);
  if (random() < 0.2) strings.rawPath = pick(random, ['/%2F/x', '/a%20b/%C3%BC', '/nope']);
  if (random() < 0.3) strings.requestHost = random() < 0.5 ? strings.host! : pick(random, hosts);
  const count = random() < 0.2 ? MAX_HEADERS : Math.floor(random() * 9);
  const headers: NonNullable<RequestRecordSpec['headers']> = [];
  for (let i = 0; i < count; i++) {
    const flags = (random() < 0.1 ? HeaderFlag.keyTruncated : 0) | (random() < 0.1 ? HeaderFlag.valueTruncated : 0);
    headers.push({ key: pick(random, headerKeys), value: pick(random, headerValues), flags });
  }
  const flagBits = [EventFlag.userinfo, EventFlag.forceQuery, EventFlag.headersIncomplete, EventFlag.readError];
  let flags = 0;
  for (const bit of flagBits) if (random() < 0.1) flags |= bit;
  if (random() < 0.03) flags |= EventFlag.noUrl;
  const total = count + (random() < 0.2 ? Math.floor(random() * 5) + 1 : 0);
  if (total > count) flags |= EventFlag.headersTruncated;
  let truncated = 0;
  for (let i = 0; i < stringFields.length; i++) if (random() < 0.05) truncated |= 1 << i;
  return { strings, headers, total, flags, truncated };
}

/**
 * A request record of `shape` with varied call fields (pid, thread, goroutine, time, beyond 2^53 ns
 * too); the `hostile`th kind of invalid UTF-8 in place of the markers.
 */
export function variedRecord(random: () => number, shape: RequestRecordSpec, hostile: number): Buffer {
  const ktimeNs =
    random() < 0.05 ? 2n ** 60n + BigInt(Math.floor(random() * 1e12)) : BigInt(Math.floor(random() * 1e15));
  const record = requestRecord({ ...shape, pid: 1 + Math.floor(random() * 4), ktimeNs });
  record.writeUInt32LE(1 + Math.floor(random() * 4000), E.tid);
  record.writeUInt32LE(1 + Math.floor(random() * 4000), E.nsTgid);
  const goid = BigInt(Math.floor(random() * 2 ** 20)) + (random() < 0.1 ? 2n ** 60n : 0n);
  if (random() < 0.7) record.writeBigUInt64LE(goid, E.goid);
  return withHostileBytes(record, hostile % hostileBytes.length);
}

function withHostileBytes(record: Buffer, which: number): Buffer {
  const bytes = hostileBytes[which]!;
  for (let at = record.indexOf(marker); at >= 0; at = record.indexOf(marker, at + marker.length))
    for (let i = 0; i < bytes.length; i++) record[at + i] = bytes[i]!;
  return record;
}
