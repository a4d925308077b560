import { defaultLayoutTable } from '@httpwatcher/go-offsets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import type { HttpRequestEvent } from './http-event.js';
import { Snooper } from './snooper.js';
import { SnooperError } from './snooper-error.js';
import { startFixture } from './test-support/fixtures.js';

describe.runIf(runBpfTests)('offsets from DWARF when the Go version is not in the table (real BPF)', () => {
  let snoop: Snooper;
  beforeAll(async () => {
    snoop = await Snooper.init();
  });
  afterAll(() => snoop?.close());

  const cases = [
    ['1.26', 'default'],
    ['1.22', 'default'],
    ['1.15', 'default'],
  ] as const;

  it.each(cases)('go%s %s traces correctly with its minor removed from the table', async (go, variant) => {
    const cell = builtFixtures((c) => c.program === 'client' && c.go === go && c.variant === variant)[0];
    expect(cell, `fixture go${go}/${variant} (run test-fixtures/build.sh)`).toBeDefined();
    const layoutTable = defaultLayoutTable.filter((e) => e.minor !== `go${go}`);
    expect(layoutTable.length).toBeLessThan(defaultLayoutTable.length);

    const fixture = await startFixture(cell!.absolutePath, ['-scenario', 'basic']);
    const attached = await snoop.attach(fixture.pid, { layoutTable });
    expect(attached.layoutSource).toBe('dwarf');
    const events: HttpRequestEvent[] = [];
    const done = (async () => {
      for await (const ev of snoop.events()) {
        if (ev.pid === fixture.pid) events.push(ev);
        if (events.length === 5) return;
      }
    })();
    const { sent } = await fixture.go();
    snoop.flush();
    await done;
    expect(events.map((e) => [e.method, e.url, e.headers])).toEqual(sent.map((s) => [s.method, s.url, s.headers]));
    await snoop.detach(fixture.pid);
  });

  it('a stripped binary of a version missing from the table is refused with UNSUPPORTED_GO_VERSION', async () => {
    const cell = builtFixtures((c) => c.program === 'client' && c.go === '1.26' && c.variant === 'stripped')[0]!;
    const layoutTable = defaultLayoutTable.filter((e) => e.minor !== 'go1.26');
    const fixture = await startFixture(cell.absolutePath, ['-scenario', 'basic']);
    try {
      const error = await snoop.attach(fixture.pid, { layoutTable }).catch((e: unknown) => e);
      expect(SnooperError.isInstance(error) && error.code).toBe('UNSUPPORTED_GO_VERSION');
      expect((error as Error).message).toMatch(/go1\.26/);
      expect(snoop.processes()).toEqual([]);
    } finally {
      await fixture.go();
    }
  });
});
