import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import { Snooper } from './snooper.js';
import { runTraced } from './test-support/traced-run.js';
import type { HttpRequestEvent } from './http-event.js';
import { expectedOrigin, keyOfEvent, keyOfSeen, seenOf } from './test-support/transport-seen.js';

if (!runBpfTests)
  console.warn('transport-proxy.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const versions = ['1.15', '1.21', '1.24', '1.27'];
const cells = builtFixtures(
  (c) => c.program === 'transport-client' && c.goarch === 'amd64' && c.variant === 'default' && versions.includes(c.go),
);
const GOROUTINES = 64;
const ROUNDS = 4;

// The compat build (Linux 5.8-5.16, loaded here too) on the stack ABI and the newest Go.
for (const [build, buildCells] of [
  ['default', cells],
  ['compat', cells.filter((c) => c.go === '1.15' || c.go === '1.27')],
] as const) {
  describe.runIf(runBpfTests)(
    `transport probe, ${build} build: reverse proxy, middleware, bare RoundTrip, redirects, 64 goroutines`,
    () => {
      let snoop: Snooper;
      beforeAll(async () => {
        snoop = await Snooper.init({ flushIntervalMs: 10, transport: true, bpfBuild: build });
      });
      afterAll(async () => {
        await snoop?.close();
      });

      it('has fixtures to trace (run test-fixtures/build.sh --program transport-client)', () => {
        expect(cells.map((c) => c.go)).toEqual(versions);
        expect(snoop.bpfBuild).toBe(build);
      });

      it.each(buildCells.map((c) => [`go${c.go}`, c] as const))(
        '%s: one event per request the servers received, exactly once, with its via, hop and original URL',
        async (_name, cell: Fixture) => {
          const run = await runTraced(snoop, cell.absolutePath, [
            '-goroutines',
            String(GOROUTINES),
            '-rounds',
            String(ROUNDS),
          ]);
          expect(run.exitCode, run.stderr).toBe(0);
          const seen = seenOf(run.truths);
          // Per round: to the proxy, relayed by it, through the middleware, bare, and three redirect hops.
          expect(seen).toHaveLength(GOROUTINES * ROUNDS * 7);

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
            const got = [ev.via, ev.hop, ev.originalUrl];
            const want = expectedOrigin(s);
            if (JSON.stringify(got) !== JSON.stringify(want))
              problems.push(`${keyOfSeen(s)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
          }
          expect(problems.slice(0, 5)).toEqual([]);
          expect(run.events).toHaveLength(seen.length);
          // The middleware's header is in the event: it shows the wire request, not the one Client.Do got.
          expect(run.events.filter((ev) => ev.headers['X-Added'] === 'by-middleware')).toHaveLength(
            GOROUTINES * ROUNDS,
          );

          const stats = snoop.stats();
          expect([stats.kernelDrops, stats.scratchDrops, stats.decodeErrors, stats.readErrors]).toEqual([0, 0, 0, 0]);
          expect([stats.transportCallsReleased, stats.transportEndsUnmatched]).toEqual([0, 0]);
        },
      );
    },
  );
}
