import type { HttpRequestEvent } from 'httpwatcher';
import { isoTime } from './iso-time.js';
import { escapeJsonControls } from './json-text.js';
import type { ShownRequest } from './shown-request.js';

interface NameValue {
  name: string;
  value: string;
}

/** Characters RFC 3986 allows in a URI, `%` only before two hex digits; `[` and `]` only in the authority. */
// Flag u: a character outside the BMP is one match, encoded whole.
const notUriText = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/gu;
const notAuthorityText = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/gu;
const schemeAndAuthority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * The URL as a valid URI for HAR readers: a character a URI cannot hold (a space, a control, a
 * non-ASCII letter that Go writes raw in a query) is percent-encoded as its UTF-8 bytes, as a
 * browser would send it.
 */
export function uriText(url: string): string {
  const head = schemeAndAuthority.exec(url)?.[0] ?? '';
  return head.replace(notAuthorityText, percentEncode) + url.slice(head.length).replace(notUriText, percentEncode);
}

/** A lone surrogate, which has no UTF-8, is written as U+FFFD's bytes. */
function percentEncode(c: string): string {
  if (c === '[' || c === ']') return `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
  try {
    return encodeURIComponent(c);
  } catch {
    return '%EF%BF%BD';
  }
}

const decoded = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

/** The query's name=value pairs, decoded as a form would be (a malformed escape stays as it was). */
export function queryPairs(url: string): NameValue[] {
  const q = url.indexOf('?');
  const hash = url.indexOf('#');
  if (q < 0 || (hash >= 0 && hash < q)) return [];
  const query = url.slice(q + 1, hash < 0 ? url.length : hash);
  if (query === '') return [];
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return eq < 0
      ? { name: decoded(pair), value: '' }
      : { name: decoded(pair.slice(0, eq)), value: decoded(pair.slice(eq + 1)) };
  });
}

/** The `name=value` pairs of a Cookie header; a masked one (`****`) has none. */
function cookiePairs(headers: Readonly<Record<string, string>>): NameValue[] {
  const cookie = headers.Cookie;
  if (cookie === undefined) return [];
  return cookie
    .split(/;\s*/)
    .filter((c) => c.includes('='))
    .map((c) => ({ name: c.slice(0, c.indexOf('=')), value: c.slice(c.indexOf('=') + 1) }));
}

function gaps(ev: HttpRequestEvent): string {
  const out: string[] = [];
  if (ev.userinfo) out.push('the URL had user info (not read)');
  if (ev.truncated.headers) out.push(`${ev.headerCount - Object.keys(ev.headers).length} more headers not captured`);
  const cut = ev.truncated.fields.length + ev.truncated.headerKeys.length + ev.truncated.headerValues.length;
  if (cut > 0) out.push(`${cut} fields cut short`);
  if (ev.incomplete) out.push('incomplete read');
  return out.join(', ');
}

/** What the entry says of the response: with --response, its status and the time do() took. */
function outcome(ev: HttpRequestEvent): { status: number; comment: string; ms: number } {
  if (ev.durationNs === undefined) return { status: 0, comment: 'not traced (run with --response)', ms: 0 };
  const ms = ev.durationNs / 1e6;
  if (ev.status !== undefined) return { status: ev.status, comment: '', ms };
  return { status: 0, comment: ev.error ? 'do() returned an error' : 'no response', ms };
}

/**
 * One HAR 1.2 entry (JSON text) for a request: method, URL, query, headers (with a Host override),
 * cookies, start time; with --response the status, and the time from the call to do() to its
 * return as `wait` (headers received, body not read). Bodies, sizes and the HTTP version are not
 * captured: sizes are -1, the version empty. `_pid` names the traced process.
 */
export function harEntry(ev: HttpRequestEvent, { url, headers }: ShownRequest): string {
  const { status, comment, ms } = outcome(ev);
  const headerList: NameValue[] = ev.host === undefined ? [] : [{ name: 'Host', value: ev.host }];
  for (const name of Object.keys(headers).sort()) headerList.push({ name, value: headers[name]! });
  const note = gaps(ev);
  const entry = {
    startedDateTime: isoTime(ev.time),
    time: ms,
    request: {
      method: ev.method,
      url: uriText(url),
      httpVersion: '',
      cookies: cookiePairs(headers),
      headers: headerList,
      queryString: queryPairs(url),
      headersSize: -1,
      bodySize: -1,
      ...(note === '' ? {} : { comment: note }),
    },
    response: {
      status,
      statusText: '',
      httpVersion: '',
      cookies: [],
      headers: [],
      content: { size: -1, mimeType: '' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      ...(comment === '' ? {} : { comment }),
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: ms, receive: 0 },
    _pid: ev.pid,
  };
  return escapeJsonControls(JSON.stringify(entry));
}
