import type { HttpRequestEvent, Snooper } from 'httpwatcher';
import { goUrlString } from '../../../packages/httpwatcher/src/go-url.js';
import { expectedCapture, urlPartsOf } from '../../../packages/httpwatcher/src/test-support/expected-capture.js';
import type { CaptureTruth } from '../../../packages/httpwatcher/src/test-support/traced-run.js';
import { runTraced } from './traced.js';
import type { GuestFixture } from '../guest-plan.js';
import type { Findings } from './findings.js';

const BULK_URL = /^http:\/\/bulk\.invalid\/bulk\/(\d+)$/;

/** Go < 1.17 passes arguments on the stack, where the goroutine (g) is not at hand. */
const hasRegisterAbi = (fixture: GuestFixture): boolean => Number(fixture.go.split('.')[1]) >= 17;

/**
 * The host's capture.e2e comparison, field by field, in a guest: every edge case of the capture
 * scenario exactly as the program printed it, then `bulkRequests` requests (half from 64
 * goroutines, half from fresh goroutines at sweeping stack depths), each exactly once, with no
 * record dropped or unreadable.
 */
export async function checkCapture(
  snoop: Snooper,
  fixture: GuestFixture,
  bulkRequests: number,
  f: Findings,
): Promise<Record<string, unknown>> {
  const stats0 = snoop.stats();
  // The wait for the last events starts when the program has exited, every record already in the
  // ring: the host's 20 s are ample under emulation too, and bound a check whose records were lost.
  const run = await runTraced(snoop, fixture.path, ['-scenario', 'capture,bulk', '-n', String(bulkRequests)]);
  f.same('fixture exit code', run.exitCode, 0);
  if (run.exitCode !== 0) f.add(`fixture stderr (its end): ${run.stderr.slice(-600)}`);
  f.same(
    'every capture request got 200',
    run.truths.map((t) => [t.name, t.status, t.error]),
    run.truths.map((t) => [t.name, 200, undefined]),
  );
  f.same('bulk summary', run.bulk, { kind: 'bulk', sent: bulkRequests, ok: bulkRequests });

  const stats = snoop.stats();
  const delta = {
    kernelDrops: stats.kernelDrops - stats0.kernelDrops,
    scratchDrops: stats.scratchDrops - stats0.scratchDrops,
    queueDrops: stats.queueDrops - stats0.queueDrops,
    decodeErrors: stats.decodeErrors - stats0.decodeErrors,
    readErrors: stats.readErrors - stats0.readErrors,
  };
  // Where a missing event was lost: no probe hit (kernel side), or a hit whose record never arrived.
  const counted = { hits: stats.hits - stats0.hits, delivered: stats.events - stats0.events };
  f.same('drops and errors', delta, { kernelDrops: 0, scratchDrops: 0, queueDrops: 0, decodeErrors: 0, readErrors: 0 });
  // What a record with a failed read still holds tells which read failed (docs/arm64.md, "Go 1.15
  // read errors"): the method (the request's own fields), the URL (url.URL and its strings), headers.
  if (delta.readErrors > 0)
    for (const ev of run.events.filter((e) => e.incomplete).slice(0, 5))
      f.add(
        `incomplete event: ${JSON.stringify({ method: ev.method, url: ev.url, host: ev.host, headers: Object.keys(ev.headers).length, truncated: ev.truncated })}`,
      );

  const bulkEvents = run.events.filter((ev) => BULK_URL.test(ev.url));
  const captureEvents = run.events.filter((ev) => !BULK_URL.test(ev.url));
  f.same('bulk events', bulkEvents.length, bulkRequests);
  for (const problem of bulkProblems(bulkEvents, bulkRequests)) f.add(problem);

  f.same('capture events', captureEvents.length, run.truths.length);
  run.truths.forEach((truth, i) => {
    f.same(`${truth.name}: Go's URL.String()`, goUrlString(urlPartsOf(truth)), truth.url);
    const ev = captureEvents[i];
    if (ev) compareCaptured(ev, truth, fixture, f);
  });
  exercisedAsNamed(run.truths, f);
  f.same(
    'a redirect chain is one event, for its first request',
    captureEvents.filter((ev) => ev.url.includes('/redirect/')).map((ev) => new URL(ev.url).pathname),
    ['/redirect/3'],
  );

  return { requests: run.truths.length + bulkRequests, events: run.events.length, ...counted, ...delta };
}

function compareCaptured(ev: HttpRequestEvent, truth: CaptureTruth, fixture: GuestFixture, f: Findings): void {
  const want = expectedCapture(truth);
  const what = truth.name;
  f.same(`${what} method`, ev.method, want.method);
  f.same(`${what} url`, ev.url, want.url);
  f.same(`${what} host`, ev.host, want.host);
  f.same(`${what} userinfo`, ev.userinfo, want.userinfo);
  f.same(`${what} headerCount`, ev.headerCount, want.headerCount);
  f.same(`${what} incomplete`, ev.incomplete, false);
  f.same(`${what} truncated.fields`, [...ev.truncated.fields], want.truncatedFields);
  f.same(`${what} truncated.headers`, ev.truncated.headers, want.headersTruncated);
  const captured = Object.keys(ev.headers);
  f.same(`${what} captured headers`, captured.length, want.capturedHeaders);
  for (const key of captured) {
    const header = want.headers.get(key);
    if (!header) {
      f.add(`${what}: captured header ${key} was not sent`);
      continue;
    }
    f.same(`${what} ${key}`, ev.headers[key], header.value);
    f.same(`${what} ${key} key cut`, ev.truncated.headerKeys.includes(key), header.keyTruncated);
    f.same(`${what} ${key} value cut`, ev.truncated.headerValues.includes(key), header.valueTruncated);
  }
  f.same(`${what} goid`, ev.goid, hasRegisterAbi(fixture) ? truth.goid : undefined);
}

/** The capture cases really exercised what they are named after (as capture.e2e checks on the host). */
function exercisedAsNamed(truths: CaptureTruth[], f: Findings): void {
  const byName = new Map(truths.map((t) => [t.name, t]));
  f.same('http2 case protocol', byName.get('http2')?.proto, 'HTTP/2.0');
  f.same('https case scheme', byName.get('https')?.url.startsWith('https://'), true);
  const shape = (name: string) => byName.get(name)?.map;
  if (shape('headers-1000')?.kind === 'hmap') {
    f.same(
      'growing maps',
      [shape('headers-growing-from-20')?.growing, shape('headers-growing-from-40')?.growing],
      [true, true],
    );
    f.same('overflow buckets', shape('headers-overflow')?.overflow, true);
  } else {
    f.atLeast('swiss tables of headers-1000', shape('headers-1000')?.tables, 2);
    const sparse = shape('headers-sparse');
    f.atMost('swiss tables of headers-sparse', sparse?.tables, (sparse?.dirLen ?? 0) - 1);
  }
}

/** Bulk events: exactly one per request index, each with its own X-Seq. */
function bulkProblems(events: HttpRequestEvent[], n: number): string[] {
  const seen = new Uint8Array(n);
  const problems: string[] = [];
  for (const ev of events) {
    const i = Number(BULK_URL.exec(ev.url)?.[1]);
    if (!(i >= 0 && i < n)) {
      problems.push(`unexpected bulk event ${ev.url}`);
      continue;
    }
    if (seen[i] === 0 && (ev.headers['X-Seq'] !== String(i) || ev.headerCount !== 1))
      problems.push(
        `request ${i}: headers ${JSON.stringify(ev.headers)} count ${ev.headerCount} incomplete ${ev.incomplete}`,
      );
    if (seen[i] !== 0) problems.push(`duplicate event for request ${i}`);
    seen[i] = 1;
  }
  for (let i = 0; i < n; i++) if (seen[i] === 0) problems.push(`no event for request ${i}`);
  return problems.slice(0, 10);
}
