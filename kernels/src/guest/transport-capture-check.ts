import type { HttpRequestEvent, Snooper } from 'httpwatcher';
import { expectedCapture } from '../../../packages/httpwatcher/src/test-support/expected-capture.js';
import type { CaptureTruth } from '../../../packages/httpwatcher/src/test-support/traced-run.js';
import type { GuestFixture } from '../guest-plan.js';
import type { Findings } from './findings.js';
import { runTraced } from './traced.js';
import { checkTransportCounters } from './transport-counters.js';

const BULK_URL = /^http:\/\/bulk\.invalid\/bulk\/(\d+)$/;
/** The capture scenario's redirect chain: Client.Do follows it, the transport sends each hop. */
const CHAIN = ['/redirect/3', '/redirect/2', '/redirect/1', '/redirect/0'];

/**
 * transport.e2e in a guest: the client fixture's capture scenario under the transport probe. Every
 * edge case is its wire request (HTTP/2 and TLS among them), the redirect chain is four events,
 * hops 0–3 with their Referer, and the calls whose RoundTripper is not the standard transport
 * (headers-1000 and the bulk requests, at stack depths that make Client.do grow its stack) are one
 * event each, from Client.do.
 */
export async function checkTransportCapture(
  snoop: Snooper,
  fixture: GuestFixture,
  bulkRequests: number,
  f: Findings,
): Promise<Record<string, unknown>> {
  const before = snoop.stats();
  const run = await runTraced(snoop, fixture.path, ['-scenario', 'capture,bulk', '-n', String(bulkRequests)]);
  f.same('fixture exit code', run.exitCode, 0);
  if (run.exitCode !== 0) f.add(`fixture stderr (its end): ${run.stderr.slice(-600)}`);
  f.same('bulk summary', run.bulk, { kind: 'bulk', sent: bulkRequests, ok: bulkRequests });
  f.same('http2 case protocol', run.truths.find((t) => t.name === 'http2')?.proto, 'HTTP/2.0');

  const bulk = run.events.filter((ev) => BULK_URL.test(ev.url));
  f.same('bulk events', bulk.length, bulkRequests);
  f.same('distinct bulk URLs', new Set(bulk.map((ev) => ev.url)).size, bulkRequests);
  const offBulk = bulk.filter((ev) => ev.via !== 'client' || ev.hop !== 0 || ev.originalUrl !== undefined);
  f.same('bulk events not from Client.do alone', offBulk.slice(0, 3).map(origin), []);

  const capture = run.events.filter((ev) => !BULK_URL.test(ev.url));
  f.same('capture events', capture.length, run.truths.length + CHAIN.length - 1);
  let at = 0;
  for (const truth of run.truths) {
    if (truth.name === 'redirect-chain') {
      const hops = capture.slice(at, at + CHAIN.length);
      at += CHAIN.length;
      f.same(
        'redirect-chain hops',
        hops.map((ev) => [new URL(ev.url).pathname, ...origin(ev)]),
        CHAIN.map((path, hop) => [path, 'client', hop, truth.url]),
      );
      f.same(
        'redirect-chain Referer per hop',
        hops.map((ev) => ev.headers.Referer),
        [undefined, ...CHAIN.slice(0, -1).map((path) => new URL(path, truth.url).href)],
      );
      f.same(
        'redirect-chain X-Redirect per hop',
        hops.map((ev) => ev.headers['X-Redirect']),
        CHAIN.map(() => '3'),
      );
      continue;
    }
    const ev = capture[at++];
    if (!ev) continue;
    compareWireRequest(ev, truth, f);
    const viaDoAlone = truth.name === 'headers-1000'; // its RoundTripper is not the standard transport
    const originalUrl = viaDoAlone ? undefined : expectedCapture(truth).url;
    f.same(`${truth.name} via, hop, originalUrl`, origin(ev), ['client', 0, originalUrl]);
  }
  return {
    requests: run.truths.length + bulkRequests,
    events: run.events.length,
    ...checkTransportCounters(snoop, before, f),
  };
}

const origin = (ev: HttpRequestEvent) => [ev.via, ev.hop, ev.originalUrl];

/** The request Client.Do was given, as the transport sent it: the same fields and headers. */
function compareWireRequest(ev: HttpRequestEvent, truth: CaptureTruth, f: Findings): void {
  const want = expectedCapture(truth);
  const what = truth.name;
  f.same(
    `${what} method, url, host, userinfo`,
    [ev.method, ev.url, ev.host, ev.userinfo],
    [want.method, want.url, want.host, want.userinfo],
  );
  f.same(`${what} incomplete`, ev.incomplete, false);
  f.same(`${what} truncated.fields`, [...ev.truncated.fields], want.truncatedFields);
  if (what === 'userinfo') {
    // Client.send turns the URL's user info into an Authorization header before the transport.
    f.same(`${what} headerCount`, ev.headerCount, want.headerCount + 1);
    f.same(
      `${what} Authorization`,
      ev.headers.Authorization,
      `Basic ${Buffer.from('user:secret-password').toString('base64')}`,
    );
    return;
  }
  f.same(`${what} headerCount`, ev.headerCount, want.headerCount);
  f.same(`${what} truncated.headers`, ev.truncated.headers, want.headersTruncated);
  const captured = Object.keys(ev.headers);
  f.same(`${what} captured headers`, captured.length, want.capturedHeaders);
  for (const key of captured) f.same(`${what} ${key}`, ev.headers[key], want.headers.get(key)?.value);
}
