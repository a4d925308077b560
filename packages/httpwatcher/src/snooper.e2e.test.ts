import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import type { HttpRequestEvent } from './http-event.js';
import { Snooper } from './snooper.js';
import { SnooperError } from './snooper-error.js';
import { startFixture, type SentRequest } from './test-support/fixtures.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.
if (!runBpfTests) console.warn('snooper.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const amd64Cells = builtFixtures((c) => c.program === 'client' && c.goarch === 'amd64');

function collect(snoop: Snooper, pid: number, count: number, timeoutMs: number): Promise<HttpRequestEvent[]> {
  const events: HttpRequestEvent[] = [];
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  return (async () => {
    for await (const ev of snoop.events({ signal: abort.signal })) {
      if (ev.pid === pid) events.push(ev);
      if (events.length >= count) break;
    }
    clearTimeout(timer);
    // A little longer, so that an extra (duplicate) event would be seen too.
    const extra = new AbortController();
    setTimeout(() => extra.abort(), 300);
    snoop.flush();
    for await (const ev of snoop.events({ signal: extra.signal })) if (ev.pid === pid) events.push(ev);
    return events;
  })();
}

function asTruth(ev: HttpRequestEvent): Omit<SentRequest, 'kind' | 'status' | 'error'> {
  return {
    method: ev.method,
    url: ev.url,
    ...(ev.host !== undefined && { host: ev.host }),
    headers: ev.headers,
    nheaders: ev.headerCount,
    userinfo: ev.userinfo,
  };
}

describe.runIf(runBpfTests)('Snooper end to end (real BPF, real Go processes)', () => {
  let snoop: Snooper;
  beforeAll(async () => {
    snoop = await Snooper.init();
  });
  afterAll(async () => {
    await snoop?.close();
  });

  it('has fixtures to trace (run test-fixtures/build.sh)', () => {
    expect(amd64Cells.map((c) => `${c.go}/${c.variant}`)).toContain('1.24/default');
  });

  it.each(amd64Cells.map((c) => [`go${c.go} ${c.variant}`, c] as const))(
    '%s: one event per request, equal to what the program sent',
    async (_name, cell) => {
      const fixture = await startFixture(cell.absolutePath, ['-scenario', 'basic']);
      const attached = await snoop.attach(fixture.pid);
      expect(attached.pid).toBe(fixture.pid);
      const eventsPromise = collect(snoop, fixture.pid, 5, 5_000);
      const { sent, exitCode } = await fixture.go();
      const events = await eventsPromise;
      expect(exitCode).toBe(0);
      expect(sent).toHaveLength(5);
      expect(events.map(asTruth)).toEqual(sent.map(({ kind, status, error, ...rest }) => rest));
      for (const ev of events) {
        expect(ev.nsPid).toBe(fixture.pid);
        expect(ev.incomplete).toBe(false);
        expect(ev.time.getTime()).toBeGreaterThan(Date.now() - 60_000);
      }
      // It exited: its state went with it, so there is nothing left to detach.
      expect(snoop.processes().map((p) => p.pid)).not.toContain(fixture.pid);
      expect(await snoop.detach(fixture.pid)).toBe(false);
    },
  );

  it('redactSecrets: true masks credential header values, keeping the scheme word; off by default', async () => {
    const cell = amd64Cells.find((c) => c.go === '1.24' && c.variant === 'default')!;
    const masking = await Snooper.init({ redactSecrets: true });
    try {
      const fixture = await startFixture(cell.absolutePath, ['-scenario', 'basic']);
      await masking.attach(fixture.pid);
      await snoop.attach(fixture.pid);
      const maskedEvents = collect(masking, fixture.pid, 5, 5_000);
      const plainEvents = collect(snoop, fixture.pid, 5, 5_000);
      const { sent } = await fixture.go();
      const [masked, plain] = await Promise.all([maskedEvents, plainEvents]);
      expect(plain.map((e) => e.headers)).toEqual(sent.map((s) => s.headers));
      expect(masked.map((e) => e.headers)).toEqual(
        sent.map((s) =>
          Object.fromEntries(
            Object.entries(s.headers).map(([k, v]) => [k, k === 'Authorization' ? `${v.split(' ')[0]} ****` : v]),
          ),
        ),
      );
      expect(masked.map((e) => e.url)).toEqual(sent.map((s) => s.url));
    } finally {
      await masking.close();
    }
  });

  it('attaching twice to one process is idempotent: one link, one event per request', async () => {
    const cell = amd64Cells.find((c) => c.go === '1.24' && c.variant === 'default')!;
    const fixture = await startFixture(cell.absolutePath, ['-scenario', 'basic']);
    const first = await snoop.attach(fixture.pid);
    const second = await snoop.attach(fixture.pid);
    expect(second).toBe(first);
    const eventsPromise = collect(snoop, fixture.pid, 5, 5_000);
    const { sent } = await fixture.go();
    expect(await eventsPromise).toHaveLength(sent.length);
    await snoop.detach(fixture.pid);
  });

  it('rejects a PID that does not exist with NO_SUCH_PROCESS and stays usable', async () => {
    const error = await snoop.attach(2 ** 22 + 12345).catch((e: unknown) => e);
    expect(SnooperError.isInstance(error)).toBe(true);
    expect((error as SnooperError).code).toBe('NO_SUCH_PROCESS');
    expect(snoop.processes()).toEqual([]);
  });

  it('rejects a process that is not Go with NOT_GO_BINARY and stays usable', async () => {
    const error = await snoop.attach(process.pid).catch((e: unknown) => e);
    expect((error as SnooperError).code).toBe('NOT_GO_BINARY');
    expect(snoop.processes()).toEqual([]);
    expect(snoop.stats().processes).toBe(0);
  });

  it('reports no drops when the ring is not overfilled', () => {
    const stats = snoop.stats();
    expect(stats.kernelDrops).toBe(0);
    expect(stats.queueDrops).toBe(0);
    expect(stats.decodeErrors).toBe(0);
    expect(stats.events).toBeGreaterThan(0);
  });
});
