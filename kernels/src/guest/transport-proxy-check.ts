import type { HttpRequestEvent, Snooper } from 'httpwatcher';
import type { GuestFixture } from '../guest-plan.js';
import type { Findings } from './findings.js';
import { runTraced } from './traced.js';
import { checkTransportCounters } from './transport-counters.js';
import {
  expectedOrigin,
  keyOfEvent,
  keyOfSeen,
  seenOf,
} from '../../../packages/httpwatcher/src/test-support/transport-seen.js';

// Fewer than the host's 64 × 4: under TCG each request costs about 15 times as much, and 32
// goroutines on 2 vCPUs still interleave every kind of call.
const GOROUTINES = 32;
const ROUNDS = 2;
/** Per round: to the proxy, relayed by it, through the middleware, bare, and three redirect hops. */
const PER_ROUND = 7;

/**
 * transport-proxy.e2e in a guest: test-fixtures/transport-client under the transport probe. Each
 * request its servers received (reverse proxy, relayed, middleware-rewritten, bare RoundTrip,
 * each hop of a 3-request redirect chain) has exactly one event, with the via, hop and original
 * URL of docs/transport-probes.md, and there is no other event.
 */
export async function checkTransportProxy(
  snoop: Snooper,
  fixture: GuestFixture,
  f: Findings,
): Promise<Record<string, unknown>> {
  const before = snoop.stats();
  const run = await runTraced(snoop, fixture.path, ['-goroutines', String(GOROUTINES), '-rounds', String(ROUNDS)]);
  f.same('fixture exit code', run.exitCode, 0);
  if (run.exitCode !== 0) f.add(`fixture stderr: ${run.stderr.slice(0, 300)}`);
  const seen = seenOf(run.truths);
  f.same('requests the servers received', seen.length, GOROUTINES * ROUNDS * PER_ROUND);

  const byKey = new Map<string, HttpRequestEvent[]>();
  for (const ev of run.events) byKey.set(keyOfEvent(ev), [...(byKey.get(keyOfEvent(ev)) ?? []), ev]);
  for (const s of seen) {
    const key = keyOfSeen(s);
    const matching = byKey.get(key) ?? [];
    if (matching.length !== 1) {
      f.add(`${matching.length} events for ${key}`);
      continue;
    }
    const ev = matching[0]!;
    f.same(`${key}: via, hop, originalUrl`, [ev.via, ev.hop, ev.originalUrl], expectedOrigin(s));
    f.same(
      `${key}: incomplete, truncated`,
      [ev.incomplete, ev.truncated.headers, [...ev.truncated.fields]],
      [false, false, []],
    );
  }
  f.same('events', run.events.length, seen.length);
  // The middleware's header is in the event: it shows the wire request, not the one Client.Do got.
  f.same(
    'events with the middleware header',
    run.events.filter((ev) => ev.headers['X-Added'] === 'by-middleware').length,
    GOROUTINES * ROUNDS,
  );
  return { requests: seen.length, events: run.events.length, ...checkTransportCounters(snoop, before, f) };
}
