import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import { Snooper } from './snooper.js';
import { runTraced } from './test-support/traced-run.js';
import { seenOf, seenProblems } from './test-support/transport-seen.js';

if (!runBpfTests)
  console.warn('transport-proxy.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

// Every amd64 cell of the fixture matrix: each Go version, stripped, PIE, external linking, no cgo,
// and the bucket maps of 1.24 and 1.25 (GOEXPERIMENT=noswissmap).
const versions = ['1.15', '1.19', '1.21', '1.22', '1.23', '1.24', '1.25', '1.26', '1.27'];
const variants = ['default', 'stripped', 'pie', 'cgo-external', 'nocgo'];
const expectedCells = [
  ...versions.flatMap((go) => variants.map((variant) => `go${go} ${variant}`)),
  'go1.24 noswissmap',
  'go1.25 noswissmap',
].sort();
const cellName = (c: Fixture) => `go${c.go} ${c.variant}`;
const cells = builtFixtures((c) => c.program === 'transport-client' && c.goarch === 'amd64');
const GOROUTINES = 64;
const ROUNDS = 4;

// The compat build (Linux 5.8-5.16, loaded here too) on the stack ABI and the newest Go.
for (const [build, buildCells] of [
  ['default', cells],
  ['compat', cells.filter((c) => c.variant === 'default' && (c.go === '1.15' || c.go === '1.27'))],
] as const) {
  describe.runIf(runBpfTests)(
    `transport probe, ${build} build: reverse proxy, middleware, bare RoundTrip, redirects, HTTP/2, 64 goroutines`,
    () => {
      let snoop: Snooper;
      beforeAll(async () => {
        snoop = await Snooper.init({ flushIntervalMs: 10, transport: true, bpfBuild: build });
      });
      afterAll(async () => {
        await snoop?.close();
      });

      it('has fixtures to trace (run test-fixtures/build.sh --program transport-client)', () => {
        expect(cells.map(cellName).sort()).toEqual(expectedCells);
        expect(snoop.bpfBuild).toBe(build);
      });

      it.each(buildCells.map((c) => [cellName(c), c] as const))(
        '%s: one event per request the servers received, exactly once, with its via, hop and original URL',
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
          // Per round: to the proxy, relayed by it, through the middleware, bare, three redirect hops,
          // and one over HTTP/2 through the bundled transport.
          expect(seen).toHaveLength(GOROUTINES * ROUNDS * 8);
          expect(seen.filter((s) => s.server === 'h2')).toHaveLength(GOROUTINES * ROUNDS);

          expect(seenProblems(seen, run.events).slice(0, 5)).toEqual([]);
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
