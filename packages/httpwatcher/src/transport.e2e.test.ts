import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import type { HttpRequestEvent } from './http-event.js';
import { Snooper } from './snooper.js';
import { expectedCapture } from './test-support/expected-capture.js';
import { runTraced, type CaptureTruth } from './test-support/traced-run.js';

if (!runBpfTests) console.warn('transport.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

/** The matrix's amd64 Go versions the transport probe is proven on: stack ABI, register ABI, hmap and swiss maps. */
const versions = ['1.15', '1.21', '1.24', '1.27'];
const cells = builtFixtures(
  (c) => c.program === 'client' && c.goarch === 'amd64' && c.variant === 'default' && versions.includes(c.go),
);
const BULK = 2_000;
const BULK_URL = /^http:\/\/bulk\.invalid\/bulk\/(\d+)$/;

/** The request the client was given, as the transport sent it: same fields, same headers. */
function assertWireRequest(ev: HttpRequestEvent, truth: CaptureTruth, what: string): void {
  const want = expectedCapture(truth);
  expect([ev.method, ev.url, ev.host, ev.userinfo, ev.incomplete], what).toEqual([
    want.method,
    want.url,
    want.host,
    want.userinfo,
    false,
  ]);
  expect(ev.truncated.fields, what).toEqual(want.truncatedFields);
  if (truth.name === 'userinfo') {
    // Client.send turns the URL's user info into an Authorization header before the transport: the
    // event is the wire request, so it has that header, and only it, besides the client's.
    expect(ev.headerCount, what).toBe(want.headerCount + 1);
    expect(ev.headers.Authorization, what).toBe(`Basic ${Buffer.from('user:secret-password').toString('base64')}`);
    return;
  }
  expect(ev.headerCount, what).toBe(want.headerCount);
  expect(ev.truncated.headers, what).toBe(want.headersTruncated);
  const captured = Object.keys(ev.headers);
  expect(captured.length, what).toBe(want.capturedHeaders);
  for (const key of captured) expect(ev.headers[key], `${what}: ${key}`).toBe(want.headers.get(key)?.value);
}

describe.runIf(runBpfTests)('transport probe end to end (real BPF, Client.Do through the standard transport)', () => {
  let snoop: Snooper;
  beforeAll(async () => {
    snoop = await Snooper.init({ flushIntervalMs: 10, transport: true });
  });
  afterAll(async () => {
    await snoop?.close();
  });

  it('has fixtures to trace (run test-fixtures/build.sh)', () => {
    expect(cells.map((c) => c.go)).toEqual(versions);
  });

  it.each(cells.map((c) => [`go${c.go}`, c] as const))(
    '%s: one event per request on the wire, each redirect hop its own, calls that never reach the transport once',
    async (name, cell: Fixture) => {
      const run = await runTraced(snoop, cell.absolutePath, ['-scenario', 'capture,bulk', '-n', String(BULK)]);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.bulk).toEqual({ kind: 'bulk', sent: BULK, ok: BULK });

      // Bulk goes through a RoundTripper that is not the standard transport (bulk.go), at stack
      // depths that make Client.do grow its stack: each call never reaches the transport and still
      // gives exactly one event, from Client.do, when it ends.
      const bulk = run.events.filter((ev) => BULK_URL.test(ev.url));
      const seen = new Set(bulk.map((ev) => ev.url));
      expect(bulk).toHaveLength(BULK);
      expect(seen.size).toBe(BULK);
      const offBulk = bulk.filter((ev) => ev.via !== 'client' || ev.hop !== 0 || ev.originalUrl !== undefined);
      expect(offBulk.slice(0, 3).map((ev) => [ev.url, ev.via, ev.hop, ev.originalUrl])).toEqual([]);

      // Capture cases run one after another: their events come in order, one per request the
      // transport sent (four for the redirect chain), and one for the call whose RoundTripper is
      // not the standard transport (headers-1000), reported from Client.do without originalUrl.
      const capture = run.events.filter((ev) => !BULK_URL.test(ev.url));
      const chain = ['/redirect/3', '/redirect/2', '/redirect/1', '/redirect/0'];
      expect(capture).toHaveLength(run.truths.length + chain.length - 1);
      let at = 0;
      for (const truth of run.truths) {
        const what = `${name} ${truth.name}`;
        if (truth.name === 'redirect-chain') {
          const hops = capture.slice(at, at + chain.length);
          at += chain.length;
          expect(
            hops.map((ev) => [new URL(ev.url).pathname, ev.via, ev.hop, ev.originalUrl]),
            what,
          ).toEqual(chain.map((path, hop) => [path, 'client', hop, truth.url]));
          // Each hop is the request as sent: the client adds the Referer of the hop before it.
          expect(hops.map((ev) => ev.headers.Referer)).toEqual([
            undefined,
            ...chain.slice(0, -1).map((path) => new URL(path, truth.url).href),
          ]);
          expect(hops.every((ev) => ev.headers['X-Redirect'] === '3')).toBe(true);
          continue;
        }
        const ev = capture[at++]!;
        assertWireRequest(ev, truth, what);
        if (truth.name === 'headers-1000')
          expect([ev.via, ev.hop, ev.originalUrl], what).toEqual(['client', 0, undefined]);
        else expect([ev.via, ev.hop, ev.originalUrl], what).toEqual(['client', 0, expectedCapture(truth).url]);
      }

      const stats = snoop.stats();
      expect([stats.kernelDrops, stats.scratchDrops, stats.decodeErrors, stats.readErrors]).toEqual([0, 0, 0, 0]);
      expect([stats.transportCallsReleased, stats.transportEndsUnmatched]).toEqual([0, 0]);
    },
  );
});
