/**
 * What a server of test-fixtures/transport-client received, and the event the transport model
 * (docs/transport-probes.md, "The model") gives each such request. Shared by the host's transport
 * tests and the kernel matrix's guest checks, so both hold the program to the same rules.
 */
export interface Seen {
  /** `h2`: the TLS server of transport-client's `-http2` case, and xnet-client's server. */
  server: 'origin' | 'proxy' | 'h2';
  addr: string;
  host: string;
  method: string;
  uri: string;
  headers: Record<string, string>;
  /** The status the server answered (printed by the fixture since it answers each case its own). */
  status?: number;
}

/** The fields of an event the comparison reads. */
export interface EventKeyFields {
  method: string;
  url: string;
  host?: string;
  headers: Record<string, string>;
}

/** Lines the fixture's servers printed; other lines (the client's own, a summary) are not requests on the wire. */
export function seenOf(lines: readonly object[]): Seen[] {
  return lines.filter((l): l is Seen => {
    const s = l as Partial<Seen>;
    return (
      (s.server === 'origin' || s.server === 'proxy' || s.server === 'h2') &&
      typeof s.uri === 'string' &&
      typeof s.addr === 'string'
    );
  });
}

const xHeaders = (headers: Record<string, string>): string =>
  JSON.stringify(
    Object.keys(headers)
      .filter((k) => k.startsWith('X-'))
      .sort()
      .map((k) => [k, headers[k]]),
  );

export const urlOfSeen = (s: Seen): string => `${s.server === 'h2' ? 'https' : 'http'}://${s.addr}${s.uri}`;

/** One request on the wire: where it went, its Host when not the address, method, URI and X- headers (X-Seq is unique). */
export const keyOfSeen = (s: Seen): string =>
  `${s.method} ${urlOfSeen(s)} ${s.host === s.addr ? '' : s.host} ${xHeaders(s.headers)}`;
export const keyOfEvent = (ev: EventKeyFields): string =>
  `${ev.method} ${ev.url} ${ev.host ?? ''} ${xHeaders(ev.headers)}`;

export type Origin = [via: string, hop: number, originalUrl: string | undefined];

/** The via, hop and original URL of the event for a request a server saw. */
export function expectedOrigin(s: Seen): Origin {
  const url = urlOfSeen(s);
  // golang.org/x/net/http2's Transport.RoundTrip called directly (test-fixtures/xnet-client)
  if (s.server === 'h2' && s.headers['X-Case'] === 'xnet-bare') return ['transport', 0, undefined];
  // Client.Do to the proxy, or to the HTTP/2 server, through the transport (net/http's, or x/net's
  // as the client's Transport, or x/net's installed by http2.ConfigureTransport)
  if (s.server !== 'origin') return ['client', 0, url];
  switch (s.headers['X-Case']) {
    case 'proxy': // relayed by httputil.ReverseProxy: Transport.RoundTrip on the handler's goroutine
    case 'bare': // Transport.RoundTrip called directly
      return ['transport', 0, undefined];
    case 'middleware': // the wire request is the rewritten one; the original URL is what Client.Do got
      return ['client', 0, url.replace('/rewritten/', '/mw/')];
    case 'redirect': {
      // /redirect/N/SEQ: Client.Do was given /redirect/2/SEQ, each hop is one less.
      const [, , n, seq] = new URL(url).pathname.split('/');
      return ['client', 2 - Number(n), `http://${s.addr}/redirect/2/${seq}`];
    }
    default:
      throw new Error(`unexpected request ${url} (X-Case ${s.headers['X-Case']})`);
  }
}

/** The fields of an event the comparison with what the servers saw reads. */
export interface SeenEventFields extends EventKeyFields {
  via?: string;
  hop?: number;
  originalUrl?: string;
  status?: number;
  error?: boolean;
  durationNs?: number;
}

/**
 * Each request a server saw against the events: one line per request with other than exactly one
 * event, or whose event has another via, hop and original URL than the model gives it (and with
 * `withStatus`, another status than the server answered, an error, or no duration). Empty: all agree.
 */
export function seenProblems(seen: readonly Seen[], events: readonly SeenEventFields[], withStatus = false): string[] {
  const byKey = new Map<string, SeenEventFields[]>();
  for (const ev of events) byKey.set(keyOfEvent(ev), [...(byKey.get(keyOfEvent(ev)) ?? []), ev]);
  const problems: string[] = [];
  for (const s of seen) {
    const matching = byKey.get(keyOfSeen(s)) ?? [];
    if (matching.length !== 1) {
      problems.push(`${matching.length} events for ${keyOfSeen(s)}`);
      continue;
    }
    const ev = matching[0]!;
    const got: unknown[] = [ev.via, ev.hop, ev.originalUrl];
    const want: unknown[] = [...expectedOrigin(s)];
    if (withStatus) {
      got.push(ev.status, ev.error, (ev.durationNs ?? 0) > 0);
      want.push(s.status, false, true);
    }
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`${keyOfSeen(s)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  return problems;
}
