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

const upperHex = '0123456789ABCDEF';

export function escape(s: Buffer, mode: Mode): string {
  let out = '';
  for (const c of s) {
    out += shouldEscape(c, mode) ? `%${upperHex[c >> 4]}${upperHex[c & 15]}` : String.fromCharCode(c);
  }
  return out;
}

/** url.go validEncoded: no byte that would need escaping, apart from sub-delims, ':', '@', '[', ']', '%'. */
function validEncoded(s: Buffer, mode: Mode): boolean {
  for (const c of s) {
    if ("!$&'()*+,;=:@[]%".includes(String.fromCharCode(c))) continue;
    if (shouldEscape(c, mode)) return false;
  }
  return true;
}

const hexValue = (c: number | undefined): number => {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
};

/** url.go unescape for path and fragment modes; undefined on a malformed escape. */
function unescape(s: Buffer): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === 0x25) {
      const hi = hexValue(s[i + 1]);
      const lo = hexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return undefined;
      out.push(hi * 16 + lo);
      i += 2;
    } else {
      out.push(s[i]!);
    }
  }
  return Buffer.from(out);
}

function escapedWithRaw(decoded: Buffer, raw: Buffer, mode: Mode): string {
  if (raw.length > 0 && validEncoded(raw, mode)) {
    const back = unescape(raw);
    if (back && back.equals(decoded)) return raw.toString('latin1');
  }
  if (mode === 'path' && decoded.length === 1 && decoded[0] === 0x2a) return '*';
  return escape(decoded, mode);
}

/** The URL as Go prints it, minus userinfo. Bytes outside ASCII that Go leaves raw are decoded as UTF-8. */
export function goUrlString(u: UrlParts): string {
  let out = '';
  if (u.scheme.length > 0) out += `${u.scheme.toString('latin1')}:`;
  if (u.opaque.length > 0) {
    out += u.opaque.toString('latin1');
  } else {
    if (u.scheme.length > 0 || u.host.length > 0 || u.hasUserinfo) {
      if (u.host.length > 0 || u.path.length > 0 || u.hasUserinfo) out += '//';
      if (u.host.length > 0) out += escape(u.host, 'host');
    }
    const path = escapedWithRaw(u.path, u.rawPath, 'path');
    if (path !== '' && !path.startsWith('/') && u.host.length > 0) out += '/';
    if (out === '' && (path.split('/')[0] ?? '').includes(':')) out += './';
    out += path;
  }
  if (u.forceQuery || u.rawQuery.length > 0) out += `?${u.rawQuery.toString('latin1')}`;
  if (u.fragment.length > 0) out += `#${escapedWithRaw(u.fragment, u.rawFragment, 'fragment')}`;
  // Everything above is latin1 (one char per byte); reinterpret as UTF-8 for display.
  return Buffer.from(out, 'latin1').toString('utf8');
}
