import type { HttpRequestEvent } from 'httpwatcher';
import { describe, expect, it } from 'vitest';
import { requestEvent } from './test-support/request-event.js';
import { harEntry, queryPairs, uriText } from './har-entry.js';

const event = (over: Partial<HttpRequestEvent> = {}): HttpRequestEvent =>
  requestEvent({ url: 'http://h.test/a?b=1&c=x%20y+z&flag#frag', ...over });

const entry = (ev: HttpRequestEvent) => JSON.parse(harEntry(ev, ev));

describe('harEntry', () => {
  it('writes the request: method, URL, decoded query, Host override first, sorted headers, cookies', () => {
    const e = entry(
      event({ method: 'POST', host: 'v.test', headers: { 'X-B': '2', Cookie: 'a=1; b=2=3' }, headerCount: 2 }),
    );
    expect(e.startedDateTime).toBe('2026-11-26T06:25:31.263Z');
    expect(e.request).toEqual({
      method: 'POST',
      url: 'http://h.test/a?b=1&c=x%20y+z&flag#frag',
      httpVersion: '',
      cookies: [
        { name: 'a', value: '1' },
        { name: 'b', value: '2=3' },
      ],
      headers: [
        { name: 'Host', value: 'v.test' },
        { name: 'Cookie', value: 'a=1; b=2=3' },
        { name: 'X-B', value: '2' },
      ],
      queryString: [
        { name: 'b', value: '1' },
        { name: 'c', value: 'x y z' },
        { name: 'flag', value: '' },
      ],
      headersSize: -1,
      bodySize: -1,
    });
    expect(e._pid).toBe(4242);
  });

  it('without --response: status 0 and zero time, saying why', () => {
    const e = entry(event());
    expect(e.response.status).toBe(0);
    expect(e.response.comment).toBe('not traced (run with --response)');
    expect(e.time).toBe(0);
    expect(e.timings).toEqual({ blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 });
  });

  it('with --response: the status, and the time to do()’s return as wait; an error is status 0', () => {
    const ok = entry(event({ status: 404, error: false, durationNs: 12_345_678 }));
    expect([ok.response.status, ok.time, ok.timings.wait, ok.response.comment]).toEqual([
      404,
      12.345678,
      12.345678,
      undefined,
    ]);
    const failed = entry(event({ error: true, durationNs: 1_000_000 }));
    expect([failed.response.status, failed.response.comment, failed.time]).toEqual([0, 'do() returned an error', 1]);
  });

  it('says in a comment what was not captured', () => {
    const e = entry(
      event({
        headers: { A: '1' },
        headerCount: 19,
        userinfo: true,
        truncated: { fields: ['url.path'], headers: true, headerKeys: [], headerValues: [] },
      }),
    );
    expect(e.request.comment).toBe(
      'the URL had user info (not read), 18 more headers not captured, 1 fields cut short',
    );
  });

  it('writes DEL and C1 escaped, so the file shows no control character', () => {
    const text = harEntry(
      event({ headers: { 'X-C1': '\u009b2J\u007f\u001b' } }),
      event({ headers: { 'X-C1': '\u009b2J\u007f\u001b' } }),
    );
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(JSON.parse(text).request.headers).toEqual([{ name: 'X-C1', value: '\u009b2J\u007f\u001b' }]);
  });
});

describe('uriText', () => {
  it('keeps a valid URI as it is and percent-encodes what a URI cannot hold', () => {
    expect(uriText('http://[::1]:80/a?b=%41&c=(1)#f')).toBe('http://[::1]:80/a?b=%41&c=(1)#f');
    expect(uriText('http://h.test/[1]?c=[2]')).toBe('http://h.test/%5B1%5D?c=%5B2%5D');
    expect(uriText('http://h.test/?e=\u{1f600}&s=\ud800')).toBe('http://h.test/?e=%F0%9F%98%80&s=%EF%BF%BD');
    expect(uriText('http://h.test/?t=\u001b]0;x\u0007 é&p=100%')).toBe(
      'http://h.test/?t=%1B%5D0;x%07%20%C3%A9&p=100%25',
    );
  });
});

describe('queryPairs', () => {
  it('stops at the fragment and keeps a malformed escape as it was', () => {
    expect(queryPairs('http://h.test/?a=%zz&b#c=d')).toEqual([
      { name: 'a', value: '%zz' },
      { name: 'b', value: '' },
    ]);
    expect(queryPairs('http://h.test/#x?a=1')).toEqual([]);
    expect(queryPairs('http://h.test/?')).toEqual([]);
  });
});
