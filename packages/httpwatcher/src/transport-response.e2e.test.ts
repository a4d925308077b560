import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import type { HttpRequestEvent } from './http-event.js';
import { Snooper } from './snooper.js';
import { runTraced, type ReceivedTruth } from './test-support/traced-run.js';
import { expectedOrigin, keyOfEvent, keyOfSeen, seenOf, type Seen } from './test-support/transport-seen.js';

if (!runBpfTests)
  console.warn('transport-response.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const versions = ['1.15', '1.21', '1.24', '1.27'];
const cells = builtFixtures(
  (c) => c.program === 'transport-client' && c.goarch === 'amd64' && c.variant === 'default' && versions.includes(c.go),
);
const GOROUTINES = 64;
const ROUNDS = 4;

/** The wire request whose response a call received: the request to the proxy, the last redirect hop. */
function lastRequestOf(r: ReceivedTruth, seen: Seen[]): Seen | undefined {
  return seen.find(
    (s) =>
      s.headers['X-Case'] === r.case &&
      s.headers['X-Seq'] === r.seq &&
      (r.case !== 'proxy' || s.server === 'proxy') &&
      (r.case !== 'redirect' || s.uri.startsWith('/redirect/0/')),
  );
}

// The compat build (Linux 5.8-5.16, loaded here too) on the stack ABI and the newest Go.
for (const [build, buildCells] of [
  ['default', cells],
  ['compat', cells.filter((c) => c.go === '1.15' || c.go === '1.27')],
] as const) {
  describe.runIf(runBpfTests)(
    `transport probe with responses, ${build} build: every request on the wire with its own status, 64 goroutines`,
    () => {
      let snoop: Snooper;
      beforeAll(async () => {
        snoop = await Snooper.init({ flushIntervalMs: 10, transport: true, response: true, bpfBuild: build });
      });
      afterAll(async () => {
        await snoop?.close();
      });

      it('has fixtures to trace (run test-fixtures/build.sh --program transport-client)', () => {
        expect(cells.map((c) => c.go)).toEqual(versions);
        expect(snoop.bpfBuild).toBe(build);
      });

      it.each(buildCells.map((c) => [`go${c.go}`, c] as const))(
        '%s: proxy, middleware, bare RoundTrip, redirect hops and HTTP/2, each event once with the status its server answered',
        async (_name, cell: Fixture) => {
          const run = await runTraced(snoop, cell.absolutePath, [
            '-goroutines',
            String(GOROUTINES),
            '-rounds',
            String(ROUNDS),
            '-http2',
          ]);
          expect(run.exitCode, run.stderr).toBe(0);
          const seen = seenOf(run.truths);
          // Per round: to the proxy, relayed by it, through the middleware, bare, three redirect hops, HTTP/2.
          expect(seen).toHaveLength(GOROUTINES * ROUNDS * 8);
          expect(run.received).toHaveLength(GOROUTINES * ROUNDS * 5);

          const events = new Map<string, HttpRequestEvent[]>();
          for (const ev of run.events) events.set(keyOfEvent(ev), [...(events.get(keyOfEvent(ev)) ?? []), ev]);
          const problems: string[] = [];
          for (const s of seen) {
            const matching = events.get(keyOfSeen(s)) ?? [];
            if (matching.length !== 1) {
              problems.push(`${matching.length} events for ${keyOfSeen(s)}`);
              continue;
            }
            const ev = matching[0]!;
            const got = [ev.via, ev.hop, ev.status, ev.error, (ev.durationNs ?? 0) > 0];
            const want = [...expectedOrigin(s).slice(0, 2), s.status, false, true];
            if (JSON.stringify(got) !== JSON.stringify(want))
              problems.push(`${keyOfSeen(s)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
          }
          expect(problems.slice(0, 5)).toEqual([]);
          expect(run.events).toHaveLength(seen.length);
          // Every case answered with its own status: 203 proxied, 202 middleware, 201 bare, 302 302 200 redirects, 418 HTTP/2.
          const statuses = new Map<number, number>();
          for (const ev of run.events) statuses.set(ev.status ?? 0, (statuses.get(ev.status ?? 0) ?? 0) + 1);
          const calls = GOROUTINES * ROUNDS;
          expect(Object.fromEntries(statuses)).toEqual({
            203: 2 * calls,
            202: calls,
            201: calls,
            302: 2 * calls,
            200: calls,
            418: calls,
          });

          // What each call received is the status of the event of its last request on the wire.
          for (const r of run.received) {
            const last = lastRequestOf(r, seen);
            const ev = last && events.get(keyOfSeen(last))?.[0];
            if (r.error !== undefined || ev?.status !== r.status)
              problems.push(`${r.case} ${r.seq}: received ${r.status} ${r.error ?? ''}, event ${ev?.status}`);
          }
          expect(problems.slice(0, 5)).toEqual([]);

          const stats = snoop.stats();
          expect([stats.kernelDrops, stats.scratchDrops, stats.decodeErrors, stats.readErrors]).toEqual([0, 0, 0, 0]);
          expect([stats.transportCallsReleased, stats.transportEndsUnmatched]).toEqual([0, 0]);
          expect([stats.responsesNotAwaited, stats.responsesUnmatched]).toEqual([0, 0]);
        },
      );
    },
  );
}
