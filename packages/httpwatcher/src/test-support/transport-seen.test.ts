import { describe, expect, it } from 'vitest';
import { expectedOrigin, keyOfEvent, keyOfSeen, seenOf, seenProblems, type Seen } from './transport-seen.js';

const origin = '127.0.0.1:4000';
const seen = (s: Partial<Seen>): Seen => ({
  server: 'origin',
  addr: origin,
  host: origin,
  method: 'GET',
  uri: '/',
  headers: {},
  ...s,
});

describe('transport-client ground truth', () => {
  it('keeps the servers’ lines and drops the client’s own and the summary, whatever other fields they carry', () => {
    const server = { kind: 'request', ...seen({ uri: '/bare/1-0' }), status: 203 };
    const lines = [server, { kind: 'response', seq: '1-0', status: 203 }, { kind: 'done', failures: [] }];
    expect(seenOf(lines)).toEqual([server]);
  });

  it('gives each request the via, hop and original URL of docs/transport-probes.md', () => {
    const at = (uri: string, kind: string, server: Seen['server'] = 'origin') =>
      expectedOrigin(seen({ server, uri, headers: { 'X-Case': kind } }));
    expect(at('/proxied/3-1?q=3-1', 'proxy', 'proxy')).toEqual(['client', 0, `http://${origin}/proxied/3-1?q=3-1`]);
    expect(at('/proxied/3-1?q=3-1', 'proxy')).toEqual(['transport', 0, undefined]);
    expect(at('/h2/3-1', 'h2', 'h2')).toEqual(['client', 0, `https://${origin}/h2/3-1`]);
    expect(at('/xnet-bare/3-1', 'xnet-bare', 'h2')).toEqual(['transport', 0, undefined]);
    expect(at('/xnet-configured/3-1', 'xnet-configured', 'h2')).toEqual([
      'client',
      0,
      `https://${origin}/xnet-configured/3-1`,
    ]);
    expect(at('/bare/3-1', 'bare')).toEqual(['transport', 0, undefined]);
    expect(at('/rewritten/3-1', 'middleware')).toEqual(['client', 0, `http://${origin}/mw/3-1`]);
    expect(['/redirect/2/3-1', '/redirect/1/3-1', '/redirect/0/3-1'].map((u) => at(u, 'redirect'))).toEqual(
      [0, 1, 2].map((hop) => ['client', hop, `http://${origin}/redirect/2/3-1`]),
    );
    expect(() => at('/other', 'other')).toThrow('unexpected request http://127.0.0.1:4000/other (X-Case other)');
  });

  it('keys a request and its event alike by address, Host, method, URI and X- headers only', () => {
    const s = seen({ method: 'PUT', uri: '/bare/7-2', headers: { 'X-Seq': '7-2', 'X-Case': 'bare' } });
    const ev = {
      method: 'PUT',
      url: `http://${origin}/bare/7-2`,
      headers: { 'X-Case': 'bare', 'X-Seq': '7-2', 'User-Agent': 'Go-http-client/1.1' },
    };
    expect(keyOfEvent(ev)).toBe(keyOfSeen(s));
    expect(keyOfEvent({ ...ev, headers: { 'X-Seq': '7-3', 'X-Case': 'bare' } })).not.toBe(keyOfSeen(s));
  });

  it('names each request with other than one event, or whose event disagrees with the model or the status', () => {
    const bare = seen({ method: 'PUT', uri: '/bare/1-0', headers: { 'X-Case': 'bare', 'X-Seq': '1-0' }, status: 201 });
    const redirect = seen({ uri: '/redirect/1/1-0', headers: { 'X-Case': 'redirect', 'X-Seq': '1-0' }, status: 302 });
    const event = (s: Seen, more: object) => ({
      method: s.method,
      url: `http://${origin}${s.uri}`,
      headers: s.headers,
      ...more,
    });
    const good = [
      event(bare, { via: 'transport', hop: 0, status: 201, error: false, durationNs: 5 }),
      event(redirect, {
        via: 'client',
        hop: 1,
        originalUrl: `http://${origin}/redirect/2/1-0`,
        status: 302,
        error: false,
        durationNs: 5,
      }),
    ];
    expect(seenProblems([bare, redirect], good, true)).toEqual([]);
    expect(seenProblems([bare, redirect], [...good, good[0]!])).toEqual([`2 events for ${keyOfSeen(bare)}`]);
    expect(seenProblems([bare, redirect], [good[1]!])).toEqual([`0 events for ${keyOfSeen(bare)}`]);
    const wrongHop = { ...good[1]!, hop: 0 };
    expect(seenProblems([redirect], [wrongHop])).toHaveLength(1);
    const wrongStatus = { ...good[0]!, status: 200 };
    expect(seenProblems([bare], [wrongStatus])).toEqual([]);
    expect(seenProblems([bare], [wrongStatus], true)).toHaveLength(1);
  });
});
