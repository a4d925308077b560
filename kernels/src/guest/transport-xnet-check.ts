import type { Snooper } from 'httpwatcher';
import type { GuestFixture } from '../guest-plan.js';
import type { Findings } from './findings.js';
import { runTraced } from './traced.js';
import { checkTransportCounters } from './transport-counters.js';
import { seenOf, seenProblems } from '../../../packages/httpwatcher/src/test-support/transport-seen.js';

// As the proxy check: fewer than the host's 32 × 4 under TCG, still many goroutines at once.
const GOROUTINES = 16;
const ROUNDS = 2;
/** Per round: a bare x/net RoundTrip, a Client.Do over x/net, a Client.Do over a configured http.Transport. */
const PER_ROUND = 3;

/**
 * transport-xnet.e2e in a guest: test-fixtures/xnet-client under the transport probe. Each request
 * its HTTP/2 server received has exactly one event with the via, hop and original URL of
 * docs/transport-probes.md: the x/net transport is probed, and the call roundTrip makes into it
 * under http2.ConfigureTransport is not reported again (the frame walk of bpf/nesting.bpf.h, whose
 * arm64 side only a guest runs).
 */
export async function checkTransportXnet(
  snoop: Snooper,
  fixture: GuestFixture,
  f: Findings,
): Promise<Record<string, unknown>> {
  const before = snoop.stats();
  const run = await runTraced(snoop, fixture.path, ['-goroutines', String(GOROUTINES), '-rounds', String(ROUNDS)]);
  f.same('fixture exit code', run.exitCode, 0);
  if (run.exitCode !== 0) f.add(`fixture stderr: ${run.stderr.slice(0, 300)}`);
  const seen = seenOf(run.truths);
  f.same('requests the server received', seen.length, GOROUTINES * ROUNDS * PER_ROUND);
  for (const problem of seenProblems(seen, run.events).slice(0, 10)) f.add(problem);
  f.same('events', run.events.length, seen.length);
  return { requests: seen.length, events: run.events.length, ...checkTransportCounters(snoop, before, f) };
}
