import type { HttpRequestEvent } from 'httpwatcher';
import { describe, expect, it } from 'vitest';
import { requestEvent } from './test-support/request-event.js';
import { formatCurl } from './format-curl.js';

const event = (over: Partial<HttpRequestEvent> = {}): HttpRequestEvent =>
  requestEvent({ url: 'http://h.test/a?b=1', ...over });

const curl = (ev: HttpRequestEvent, timestamps = false): string => formatCurl(ev, ev, { timestamps });

describe('formatCurl', () => {
  it('writes method, URL, Host override and sorted headers, then the pid in a comment', () => {
    const ev = event({
      method: 'POST',
      host: 'virtual.test',
      headers: { 'X-B': '2', Accept: 'text/plain, application/json', 'X-Empty': '' },
      headerCount: 3,
    });
    expect(curl(ev)).toBe(
      "curl -X POST 'http://h.test/a?b=1' -H 'Host: virtual.test' -H 'Accept: text/plain, application/json' " +
        "-H 'X-B: 2' -H 'X-Empty;' # pid 4242\n",
    );
  });

  it('GET needs no -X, HEAD is --head; globs and dot segments are kept as they are', () => {
    expect(curl(event({ url: 'http://h.test/' }))).toBe('curl http://h.test/ # pid 4242\n');
    expect(curl(event({ method: 'HEAD', url: 'http://h.test/[1]/../x' }))).toBe(
      "curl --head -g --path-as-is 'http://h.test/[1]/../x' # pid 4242\n",
    );
  });

  it('marks a URL that does not start with a scheme with --url, so it cannot read as an option', () => {
    expect(curl(event({ url: '-K/etc/passwd' }))).toBe('curl --url -K/etc/passwd # pid 4242\n');
  });

  it('adds the time, the outcome and what the command lacks to the comment', () => {
    const ev = event({
      headers: { A: '1', 'Content-Length': '3' },
      headerCount: 20,
      userinfo: true,
      truncated: { fields: ['url.path'], headers: true, headerKeys: [], headerValues: ['A'] },
      status: 503,
      durationNs: 12_340_000,
    });
    expect(curl(ev, true)).toBe(
      "curl 'http://h.test/a?b=1' -H 'A: 1' # 2026-11-26T06:25:31.263Z, pid 4242, 503 12.3ms, " +
        '1 headers Go does not send left out, the URL had user info (not read), 18 more headers not captured, ' +
        '2 fields cut short\n',
    );
  });

  it('comments out, with the reason, a request Go refuses to send; no control byte is written', () => {
    const hostile = [
      event({ method: 'GET\r\n4242 POST http://fake.example/' }),
      event({ url: 'http://h.test/?t=\u001b]0;owned\u0007' }),
      event({ headers: { 'X-\u001b[31mRed': 'v' } }),
      event({ headers: { '@/etc/shadow': 'v' } }),
      event({ headers: { 'X-Note': 'a\n4242 GET http://fake.example/' } }),
    ];
    for (const ev of hostile) {
      const line = curl(ev);
      expect(line).toMatch(/^# not sent by Go \([^)]+\): curl /);
      expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(line.split('\n')).toHaveLength(2);
    }
    expect(curl(hostile[2]!)).toContain(" -H $'X-\\x1b[31mRed: v' ");
  });

  it('sends a Host override as Go does: in punycode, and empty when a Host header cannot hold it', () => {
    expect(curl(event({ host: 'bücher.test:8080' }))).toBe(
      "curl 'http://h.test/a?b=1' -H 'Host: xn--bcher-kva.test:8080' # pid 4242, Host override in punycode, as Go sends it\n",
    );
    expect(curl(event({ host: 'evil\u001b]0;t\u0007\u009b.test' }))).toBe(
      "curl 'http://h.test/a?b=1' -H 'Host;' # pid 4242, Go sends the invalid Host override as an empty Host\n",
    );
  });

  it('keeps a request Go sends with C1 or bidi characters in a value runnable, escaped', () => {
    expect(curl(event({ headers: { 'X-C1': '\u009b31m \u202e' } }))).toBe(
      "curl 'http://h.test/a?b=1' -H $'X-C1: \\xc2\\x9b31m \\xe2\\x80\\xae' # pid 4242\n",
    );
  });
});
