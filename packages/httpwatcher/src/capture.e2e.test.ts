import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import { goUrlString } from './go-url.js';
import type { HttpRequestEvent } from './http-event.js';
import { Snooper } from './snooper.js';
import { expectedCapture, urlPartsOf } from './test-support/expected-capture.js';
import { runTraced, type CaptureTruth, type TracedRun } from './test-support/traced-run.js';

if (!runBpfTests) console.warn('capture.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const amd64Cells = builtFixtures((c) => c.program === 'client' && c.goarch === 'amd64');
const BULK = 10_000;
const BULK_URL = /^http:\/\/bulk\.invalid\/bulk\/(\d+)$/;

/** Go < 1.17 passes arguments on the stack, where the goroutine (g) is not at hand. */
const hasRegisterAbi = (cell: Fixture): boolean => Number(cell.go.split('.')[1]) >= 17;

function assertCaptured(ev: HttpRequestEvent, truth: CaptureTruth, cell: Fixture): void {
  const want = expectedCapture(truth);
  const what = `${cell.go}/${cell.variant} ${truth.name}`;
  expect(ev.method, what).toBe(want.method);
  expect(ev.url, what).toBe(want.url);
  expect(ev.host, what).toBe(want.host);
  expect(ev.userinfo, what).toBe(want.userinfo);
  expect(ev.headerCount, what).toBe(want.headerCount);
  expect(ev.incomplete, what).toBe(false);
  expect(ev.truncated.fields, what).toEqual(want.truncatedFields);
  expect(ev.truncated.headers, what).toBe(want.headersTruncated);
  const captured = Object.keys(ev.headers);
  expect(captured.length, what).toBe(want.capturedHeaders);
  for (const key of captured) {
    const header = want.headers.get(key);
    expect(header, `${what}: captured header ${key} was not sent`).toBeDefined();
    expect(ev.headers[key], `${what}: ${key}`).toBe(header!.value);
    expect(ev.truncated.headerKeys.includes(key), `${what}: ${key} key cut`).toBe(header!.keyTruncated);
    expect(ev.truncated.headerValues.includes(key), `${what}: ${key} value cut`).toBe(header!.valueTruncated);
  }
  expect(ev.goid, what).toBe(hasRegisterAbi(cell) ? truth.goid : undefined);
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
    if (seen[i] === 0 && (ev.headers['X-Seq'] !== String(i) || ev.headerCount !== 1)) {
      problems.push(
        `request ${i}: headers ${JSON.stringify(ev.headers)} count ${ev.headerCount} incomplete ${ev.incomplete} tid ${ev.tid}`,
      );
    }
    if (seen[i] !== 0) problems.push(`duplicate event for request ${i}`);
    seen[i] = 1;
  }
  for (const [i, count] of seen.entries()) {
    if (count === 0) problems.push(`no event for request ${i}`);
  }
  return problems.slice(0, 10);
}

/** The capture and bulk scenarios of one fixture, traced by `snoop`, field by field against what it sent. */
async function expectExactCapture(snoop: Snooper, cell: Fixture): Promise<void> {
  const run: TracedRun = await runTraced(snoop, cell.absolutePath, ['-scenario', 'capture,bulk', '-n', String(BULK)]);

  // The traced program behaves as untraced: it exits 0 and every response arrived.
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.truths.map((t) => [t.name, t.status, t.error])).toEqual(run.truths.map((t) => [t.name, 200, undefined]));
  expect(run.bulk).toEqual({ kind: 'bulk', sent: BULK, ok: BULK });

  const bulkEvents = run.events.filter((ev) => BULK_URL.test(ev.url));
  const captureEvents = run.events.filter((ev) => !BULK_URL.test(ev.url));
  expect(bulkProblems(bulkEvents, BULK)).toEqual([]);
  expect(bulkEvents).toHaveLength(BULK);

  // The capture requests run one after another, so events come in the order they were sent.
  expect(captureEvents.map((ev) => ev.url)).toHaveLength(run.truths.length);
  run.truths.forEach((truth, i) => {
    // The URL rebuild is Go's URL.String() (minus userinfo) on the uncut fields too.
    expect(goUrlString(urlPartsOf(truth)), truth.name).toBe(truth.url);
    assertCaptured(captureEvents[i]!, truth, cell);
  });

  // The cases really exercised what they are named after.
  const byName = new Map(run.truths.map((t) => [t.name, t]));
  expect(byName.get('http2')!.proto).toBe('HTTP/2.0');
  expect(byName.get('https')!.url.startsWith('https://')).toBe(true);
  const shape = (name: string) => byName.get(name)!.map!;
  if (shape('headers-1000').kind === 'hmap') {
    expect(['headers-growing-from-20', 'headers-growing-from-40'].map((n) => [n, shape(n).growing])).toEqual([
      ['headers-growing-from-20', true],
      ['headers-growing-from-40', true],
    ]);
    expect(shape('headers-overflow').overflow).toBe(true);
  } else {
    expect(shape('headers-1000').tables).toBeGreaterThan(1);
    expect(shape('headers-sparse').tables).toBeLessThan(shape('headers-sparse').dirLen);
  }
  // A redirect chain is one (*Client).do call: one event, for the first request.
  expect(captureEvents.filter((ev) => ev.url.includes('/redirect/')).map((ev) => new URL(ev.url).pathname)).toEqual([
    '/redirect/3',
  ]);

  const stats = snoop.stats();
  expect([stats.kernelDrops, stats.scratchDrops, stats.queueDrops, stats.decodeErrors, stats.readErrors]).toEqual([
    0, 0, 0, 0, 0,
  ]);
}

describe.runIf(runBpfTests)('capture fidelity end to end (real BPF, every amd64 Go version and build variant)', () => {
  let snoop: Snooper;
  beforeAll(async () => {
    snoop = await Snooper.init({ flushIntervalMs: 10 });
  });
  afterAll(async () => {
    await snoop?.close();
  });

  it('has fixtures to trace (run test-fixtures/build.sh)', () => {
    expect(amd64Cells.map((c) => `${c.go}/${c.variant}`)).toContain('1.24/noswissmap');
  });

  it.each(amd64Cells.map((c) => [`go${c.go} ${c.variant}`, c] as const))(
    '%s: every edge case captured exactly, 10 000 requests give 10 000 events',
    (_name, cell) => expectExactCapture(snoop, cell),
  );
});

/** Every Go ABI (stack: 1.15; registers), both map layouts, stripped and PIE, in the compat build. */
const compatCells = amd64Cells.filter((c) =>
  ['1.15/default', '1.21/stripped', '1.24/noswissmap', '1.24/pie', '1.27/default'].includes(`${c.go}/${c.variant}`),
);

describe.runIf(runBpfTests)('capture fidelity in the compat build (Linux 5.8-5.16), loaded here', () => {
  let snoop: Snooper;
  beforeAll(async () => {
    snoop = await Snooper.init({ flushIntervalMs: 10, bpfBuild: 'compat' });
  });
  afterAll(async () => {
    await snoop?.close();
  });

  it('loads the compat build and has its fixtures', () => {
    expect(snoop.bpfBuild).toBe('compat');
    expect(compatCells).toHaveLength(5);
  });

  it.each(compatCells.map((c) => [`go${c.go} ${c.variant}`, c] as const))(
    '%s: every edge case captured exactly, 10 000 requests give 10 000 events',
    (_name, cell) => expectExactCapture(snoop, cell),
  );
});
