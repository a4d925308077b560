import type { HttpRequestEvent } from 'httpwatcher';
import { describe, expect, it } from 'vitest';
import { requestEvent } from './test-support/request-event.js';
import { formatJson } from './format-json.js';

const event = (over: Partial<HttpRequestEvent> = {}): HttpRequestEvent =>
  requestEvent({
    nsPid: 7,
    tid: 4243,
    goid: 2 ** 40 + 3,
    url: 'http://h.test/a?b=1',
    headers: { Accept: 'application/json' },
    headerCount: 1,
    ...over,
  });

/**
 * The schema as JSON.stringify writes it, with DEL, C1, line separators and bidi controls escaped as
 * well: the reference the hand-written formatter must match.
 */
const reference = (ev: HttpRequestEvent, url: string, headers: Record<string, string>): string =>
  `${escapeDelAndC1(
    JSON.stringify({
      time: ev.time.toISOString(),
      pid: ev.pid,
      nsPid: ev.nsPid,
      tid: ev.tid,
      goid: ev.goid ?? null,
      method: ev.method,
      url,
      host: ev.host ?? null,
      headers,
      headerCount: ev.headerCount,
      userinfo: ev.userinfo,
      truncated: ev.truncated,
      incomplete: ev.incomplete,
    }),
  )}\n`;
const escapeDelAndC1 = (json: string): string =>
  json.replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

describe('formatJson', () => {
  const awkward = [
    '',
    'quote " and \\ backslash',
    'tab\tnew\nline\r\u0000\u001f\u007f',
    'C1 \u0080 \u0085 \u009b31m \u009f',
    'bidi \u202eabc\u202c \u2066x\u2069 \u200e\u200f\u061c lines \u2028\u2029',
    'é ✓ 😀',
    'lone \ud800 high',
    'lone \udfff low',
    '</script>',
  ];

  it('writes what JSON.stringify writes, escapes included', () => {
    const headers: Record<string, string> = {};
    for (const [i, s] of awkward.entries()) headers[`X-${i}${s}`] = s;
    Object.defineProperty(headers, '__proto__', {
      value: 'data',
      enumerable: true,
      writable: true,
      configurable: true,
    });
    const cases = [
      event(),
      event({ goid: undefined, host: 'virtual.test', userinfo: true, incomplete: true }),
      event({ method: awkward[1]!, host: awkward[4]!, headers }),
      event({
        truncated: {
          fields: ['method', 'path'],
          headers: true,
          headerKeys: [awkward[2]!],
          headerValues: ['X-Long', awkward[3]!],
        },
      }),
      event({ time: new Date(-1) }),
    ];
    for (const ev of cases) {
      for (const url of [ev.url, awkward.join('/')]) {
        const line = formatJson(ev, { url, headers: ev.headers });
        expect(line).toBe(reference(ev, url, ev.headers));
        expect(JSON.parse(line)).toEqual(JSON.parse(reference(ev, url, ev.headers)));
      }
    }
  });

  it('leaves no DEL or C1 control raw (JSON.stringify would): a terminal showing NDJSON obeys them', () => {
    const ev = event({
      method: 'G\u007fET',
      url: 'http://h/?q=\u009b2J',
      headers: { 'X-\u0085': '\u009b31m\u001b]0;t\u0007' },
    });
    const line = formatJson(ev, ev);
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(line).toContain('"method":"G\\u007fET","url":"http://h/?q=\\u009b2J"');
    expect(JSON.parse(line)).toMatchObject({ method: ev.method, url: ev.url, headers: ev.headers });
  });

  it('leaves no bidi control or line separator raw: U+202E would reverse the rest of the line shown', () => {
    const ev = event({
      url: 'http://h/\u202etxt.exe',
      headers: { 'X-Bidi': 'abc\u202edcba\u2066x\u2069', 'X-\u2028': '\u2029\u200e\u200f\u061c' },
    });
    const line = formatJson(ev, ev);
    expect(line).not.toMatch(/[\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/);
    expect(line).toContain('"url":"http://h/\\u202etxt.exe"');
    expect(JSON.parse(line)).toMatchObject({ url: ev.url, headers: ev.headers });
  });

  it('with --transport adds via, hop and the original URL as shown (masked when the URL is)', () => {
    const plain = event({ via: 'transport', hop: 0 });
    expect(JSON.parse(formatJson(plain, plain))).toMatchObject({ via: 'transport', hop: 0, originalUrl: null });
    const hop = event({ via: 'client', hop: 1, originalUrl: 'http://h.test/start?token=secret' });
    const shown = { url: hop.url, headers: hop.headers, originalUrl: 'http://h.test/start?token=****' };
    expect(JSON.parse(formatJson(hop, shown))).toMatchObject({
      via: 'client',
      hop: 1,
      originalUrl: 'http://h.test/start?token=****',
    });
    expect(Object.keys(JSON.parse(formatJson(event(), event())))).not.toContain('via');
  });

  it('prints the time of each request to the millisecond, across seconds', () => {
    const start = Date.UTC(2026, 10, 26, 23, 59, 58, 990);
    for (const step of [0, 1, 9, 10, 99, 100, 999, 1000, 1010, 86_400_000]) {
      const ev = event({ time: new Date(start + step) });
      expect(JSON.parse(formatJson(ev, ev)).time).toBe(new Date(start + step).toISOString());
    }
  });
});
