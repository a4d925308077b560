import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { Snooper } from './snooper.js';
import {
  Recorder,
  asSent,
  clientPath,
  killAll,
  runProgram,
  sentRequests,
  truthOf,
} from './test-support/lifecycle-fixtures.js';

const runs = 30;

describe.runIf(runBpfTests)('a binary attachAll() lets go while a new process of it starts', () => {
  const children = new Set<ChildProcess>();
  let snoop: Snooper | undefined;

  afterEach(async () => {
    await snoop?.close();
    killAll(children);
  });

  // One program run back to back: each exit starts the binary's linger (1 ms here) while the next
  // run is exec'ing, traced by the kernel under the rule about to go. It must keep its probe.
  it('runs of one program back to back, each ending its linger: every run traced from its first request', async () => {
    snoop = await Snooper.init({ probeLingerMs: 1 });
    const recorder = new Recorder(snoop);
    try {
      await snoop.attachAll({ hold: true, holdSubtree: process.pid });
      const loop = `i=0; while [ $i -lt ${runs} ]; do "$0" -scenario basic || exit 1; i=$((i + 1)); done`;
      const result = await runProgram('sh', ['-c', loop, clientPath()], children);
      expect(result.code).toBe(0);
      // Every run prints its own server's URLs: the port tells runs apart.
      const sent = sentRequests(result.stdout);
      const byPort = new Map<string, typeof sent>();
      for (const request of sent) {
        const port = new URL(request.url).port;
        byPort.set(port, [...(byPort.get(port) ?? []), request]);
      }
      expect(byPort.size).toBe(runs);
      const capturedFor = (port: string) => recorder.events.filter((e) => new URL(e.url).port === port);
      await recorder
        .until(
          () => [...byPort].every(([port, truth]) => capturedFor(port).length >= truth.length),
          'the requests of every run',
          10_000,
        )
        .catch(() => undefined); // the comparison below says which run lost what
      await recorder.settle();
      const missing = [...byPort]
        .map(([port, truth]) => ({ port, want: truth.length, got: capturedFor(port).length }))
        .filter((run) => run.got !== run.want);
      expect(missing).toEqual([]);
      for (const [port, truth] of byPort) {
        const canonical = (series: Array<ReturnType<typeof asSent>>): string =>
          JSON.stringify(series.map((r) => ({ ...r, headers: Object.entries(r.headers).sort() })));
        expect(canonical(capturedFor(port).map(asSent))).toBe(canonical(truthOf(truth)));
      }
      expect(snoop.stats()).toMatchObject({ holdsSkipped: 0, holdsExpired: 0, decodeErrors: 0 });
    } finally {
      recorder.stop();
    }
  });
});
