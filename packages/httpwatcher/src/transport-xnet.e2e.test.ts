import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import { Snooper } from './snooper.js';
import { runTraced } from './test-support/traced-run.js';
import { seenOf, seenProblems, type Seen } from './test-support/transport-seen.js';

if (!runBpfTests) console.warn('transport-xnet.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

// x/net from Debian per toolchain (test-fixtures/xnet-client/modules.txt): 2021's RoundTripOpt on
// Go 1.15 (stack ABI), 0.27's on 1.21 and 1.24, 0.62's roundTripViaPool on 1.26, and on 1.27 0.62's
// Transport that wraps net/http's own HTTP/2 (roundTrip reports its requests).
const versions = ['1.15', '1.21', '1.24', '1.26', '1.27'];
const cells = builtFixtures(
  (c) => c.program === 'xnet-client' && c.goarch === 'amd64' && c.variant === 'default' && versions.includes(c.go),
);
const GOROUTINES = 32;
const ROUNDS = 4;
const CASES = 3; // bare x/net RoundTrip, Client.Do over x/net, Client.Do over a configured http.Transport

for (const [build, buildCells, response] of [
  ['default', cells, false],
  // The compat build (Linux 5.8-5.16, loaded here too) on the stack ABI and on x/net 0.62.
  ['compat', cells.filter((c) => c.go === '1.15' || c.go === '1.26'), false],
  // With responses: x/net's returns under the register ABI (under the stack ABI its results lie
  // elsewhere, so there it is not probed with responses; docs/transport-probes.md).
  ['default', cells.filter((c) => c.go !== '1.15'), true],
] as const) {
  describe.runIf(runBpfTests)(
    `transport probe, ${build} build${response ? ', responses' : ''}: golang.org/x/net/http2.Transport, ${GOROUTINES} goroutines`,
    () => {
      let snoop: Snooper;
      beforeAll(async () => {
        snoop = await Snooper.init({ flushIntervalMs: 10, transport: true, response, bpfBuild: build });
      });
      afterAll(async () => {
        await snoop?.close();
      });

      it('has fixtures to trace (run test-fixtures/build.sh --program xnet-client)', () => {
        expect(cells.map((c) => c.go)).toEqual(versions);
        expect(snoop.bpfBuild).toBe(build);
      });

      it.each(buildCells.map((c) => [`go${c.go}`, c] as const))(
        '%s: one event per request the server received, exactly once, with its via, hop and original URL',
        async (_name, cell: Fixture) => {
          const run = await runTraced(snoop, cell.absolutePath, [
            '-goroutines',
            String(GOROUTINES),
            '-rounds',
            String(ROUNDS),
          ]);
          expect(run.exitCode, run.stderr).toBe(0);
          const seen = seenOf(run.truths);
          expect(seen).toHaveLength(GOROUTINES * ROUNDS * CASES);
          expect(seen.every((s) => (s as Seen & { proto?: string }).proto === 'HTTP/2.0')).toBe(true);
          expect(seenProblems(seen, run.events, response).slice(0, 5)).toEqual([]);
          expect(run.events).toHaveLength(seen.length);
          const stats = snoop.stats();
          expect([stats.kernelDrops, stats.scratchDrops, stats.decodeErrors, stats.readErrors]).toEqual([0, 0, 0, 0]);
          expect([stats.transportCallsReleased, stats.transportEndsUnmatched]).toEqual([0, 0]);
        },
      );
    },
  );
}
