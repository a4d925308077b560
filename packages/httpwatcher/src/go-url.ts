import { TextCache } from './text-cache.js';

/**
 * Rebuilds a URL from net/url.URL's fields exactly as Go's `(*URL).String` writes it
 * (src/net/url/url.go, Go 1.24), without userinfo: httpwatcher never reads it. Works on bytes,
 * because Go strings are bytes and escaping is per byte.
 */
export interface UrlParts {
  scheme: Buffer;
  opaque: Buffer;
  host: Buffer;
  path: Buffer;
  rawPath: Buffer;
  rawQuery: Buffer;
  fragment: Buffer;
  rawFragment: Buffer;
  forceQuery: boolean;
  /** URL.User was set: Go would print `user@` before the host; we print nothing there. */
  hasUserinfo: boolean;
}

/** The byte fields of UrlParts in the order `goUrlOf` expects them (also their order in a record). */
export const urlFields = [
  'scheme',
  'opaque',
  'host',
  'path',
  'rawPath',
  'rawQuery',
  'fragment',
  'rawFragment',
] as const;
const [SCHEME, OPAQUE, HOST, PATH, RAW_PATH, RAW_QUERY, FRAGMENT, RAW_FRAGMENT] = [0, 1, 2, 3, 4, 5, 6, 7] as const;

type Mode = 'path' | 'host' | 'fragment';

const isAlnum = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);

/** url.go shouldEscape for the three modes String() uses. */
export function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if (mode === 'host' && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    if (mode === 'path') return ch === '?';
    if (mode === 'fragment') return false;
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

/** Per mode, 1 for each byte that shouldEscape; and 1 for each byte url.go validEncoded rejects. */
interface ModeTables {
  escapeTable: Uint8Array;
  invalidEncoded: Uint8Array;
}
const tablesOf = (mode: Mode): ModeTables => {
  const escapeTable = new Uint8Array(256);
  const invalidEncoded = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    escapeTable[c] = shouldEscape(c, mode) ? 1 : 0;
    invalidEncoded[c] = !"!$&'()*+,;=:@[]%".includes(String.fromCharCode(c)) && shouldEscape(c, mode) ? 1 : 0;
  }
  return { escapeTable, invalidEncoded };
};
const pathTables = tablesOf('path');
const hostTables = tablesOf('host');
const fragmentTables = tablesOf('fragment');
const tablesFor = { path: pathTables, host: hostTables, fragment: fragmentTables } as const;

/** URLs repeat (the same endpoint, called again): their text is shared. */
const recentUrls = new TextCache(1024, 1024);

const upperHex = Buffer.from('0123456789ABCDEF', 'latin1');

const hexValue = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
};

/**
 * Writes a URL's bytes into one reused buffer and decodes them once: no intermediate strings.
 * Not reentrant; every use starts with `reset` and ends with `text`.
 */
class UrlWriter {
  private out = Buffer.allocUnsafe(2048);
  length = 0;

  reset(maxBytes: number): void {
    if (maxBytes > this.out.length) this.out = Buffer.allocUnsafe(maxBytes);
    this.length = 0;
  }

  byteAt(i: number): number {
    return this.out[i]!;
  }

  byte(c: number): void {
    this.out[this.length++] = c;
  }

  raw(src: Uint8Array, start: number, end: number): void {
    const out = this.out;
    let n = this.length;
    for (let i = start; i < end; i++) out[n++] = src[i]!;
    this.length = n;
  }

  escaped(src: Uint8Array, start: number, end: number, escapeTable: Uint8Array): void {
    const out = this.out;
    let n = this.length;
    for (let i = start; i < end; i++) {
      const c = src[i]!;
      if (escapeTable[c] === 1) {
        out[n++] = 0x25;
        out[n++] = upperHex[c >> 4]!;
        out[n++] = upperHex[c & 15]!;
      } else {
        out[n++] = c;
      }
    }
    this.length = n;
  }

  /** Inserts `bytes` (ASCII) at `at`, moving what follows. */
  insert(at: number, bytes: string): void {
    this.out.copyWithin(at + bytes.length, at, this.length);
    for (let i = 0; i < bytes.length; i++) this.out[at + i] = bytes.charCodeAt(i);
    this.length += bytes.length;
  }

  /** Go prints bytes, not characters: bytes outside ASCII that it leaves raw are shown as UTF-8. */
  text(): string {
    return recentUrls.decode(this.out, 0, this.length);
  }
}

const writer = new UrlWriter();

/** url.go validEncoded(raw) && unescape(raw) == decoded, without building the unescaped bytes. */
function rawEncodes(
  b: Uint8Array,
  raw: number,
  rawEnd: number,
  decoded: number,
  decodedEnd: number,
  invalid: Uint8Array,
): boolean {
  for (let i = raw; i < rawEnd; i++) if (invalid[b[i]!] === 1) return false;
  let j = decoded;
  for (let i = raw; i < rawEnd; i++, j++) {
    let c = b[i]!;
    if (c === 0x25) {
      const hi = i + 1 < rawEnd ? hexValue(b[i + 1]!) : -1;
      const lo = i + 2 < rawEnd ? hexValue(b[i + 2]!) : -1;
      if (hi < 0 || lo < 0) return false;
      c = hi * 16 + lo;
      i += 2;
    }
    if (j >= decodedEnd || b[j] !== c) return false;
  }
  return j === decodedEnd;
}

/** url.go EscapedPath / EscapedFragment: the raw form when it encodes the decoded one, else the escaped decoded form. */
function writeWithRaw(
  b: Uint8Array,
  bounds: ArrayLike<number>,
  field: number,
  rawField: number,
  mode: 'path' | 'fragment',
): void {
  const start = bounds[field]!;
  const end = bounds[field + 1]!;
  const raw = bounds[rawField]!;
  const rawEnd = bounds[rawField + 1]!;
  const tables = tablesFor[mode];
  if (rawEnd > raw && rawEncodes(b, raw, rawEnd, start, end, tables.invalidEncoded)) writer.raw(b, raw, rawEnd);
  else if (mode === 'path' && end - start === 1 && b[start] === 0x2a) writer.byte(0x2a);
  else writer.escaped(b, start, end, tables.escapeTable);
}

/**
 * The URL as Go prints it, minus userinfo, from fields that lie in one buffer: field k of
 * `urlFields` is `bytes[bounds[base + k] .. bounds[base + k + 1])`.
 */
export function goUrlOf(
  bytes: Uint8Array,
  bounds: ArrayLike<number>,
  base: number,
  forceQuery: boolean,
  hasUserinfo: boolean,
): string {
  const at = (k: number): number => bounds[base + k]!;
  const has = (k: number): boolean => at(k + 1) > at(k);
  writer.reset(3 * (at(8) - at(0)) + 8);
  if (has(SCHEME)) {
    writer.raw(bytes, at(SCHEME), at(SCHEME + 1));
    writer.byte(0x3a);
  }
  if (has(OPAQUE)) {
    writer.raw(bytes, at(OPAQUE), at(OPAQUE + 1));
  } else {
    if (has(SCHEME) || has(HOST) || hasUserinfo) {
      if (has(HOST) || has(PATH) || hasUserinfo) {
        writer.byte(0x2f);
        writer.byte(0x2f);
      }
      if (has(HOST)) writer.escaped(bytes, at(HOST), at(HOST + 1), hostTables.escapeTable);
    }
    const pathStart = writer.length;
    writeWithRaw(bytes, bounds, base + PATH, base + RAW_PATH, 'path');
    if (writer.length > pathStart && writer.byteAt(pathStart) !== 0x2f && has(HOST)) {
      writer.insert(pathStart, '/');
    } else if (pathStart === 0) {
      // A colon in the first segment of a bare path would read as a scheme.
      for (let i = 0; i < writer.length && writer.byteAt(i) !== 0x2f; i++) {
        if (writer.byteAt(i) === 0x3a) {
          writer.insert(0, './');
          break;
        }
      }
    }
  }
  if (forceQuery || has(RAW_QUERY)) {
    writer.byte(0x3f);
    writer.raw(bytes, at(RAW_QUERY), at(RAW_QUERY + 1));
  }
  if (has(FRAGMENT)) {
    writer.byte(0x23);
    writeWithRaw(bytes, bounds, base + FRAGMENT, base + RAW_FRAGMENT, 'fragment');
  }
  return writer.text();
}

/** The URL as Go prints it, minus userinfo. Bytes outside ASCII that Go leaves raw are decoded as UTF-8. */
export function goUrlString(u: UrlParts): string {
  const parts = urlFields.map((name) => u[name]);
  const bounds = [0];
  for (const part of parts) bounds.push(bounds.at(-1)! + part.length);
  return goUrlOf(Buffer.concat(parts), bounds, 0, u.forceQuery, u.hasUserinfo);
}

export function goEscape(s: Buffer, mode: Mode): string {
  writer.reset(3 * s.length);
  writer.escaped(s, 0, s.length, tablesFor[mode].escapeTable);
  return writer.text();
}
