import { type ChildProcess, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { Snooper } from './snooper.js';
import { type RunningFixture, startFixture } from './test-support/fixtures.js';
import { startHoldingTracer } from './test-support/holding-tracer.js';
import {
  Recorder,
  asSent,
  clientPath,
  killAll,
  runProgram,
  sentRequests,
  truthOf,
} from './test-support/lifecycle-fixtures.js';
import { stateOf, stoppedDescendants, waitFor } from './test-support/process-states.js';

/** Whether the kernel still has the BPF object `kind` (map, link, prog) with this id. */
const bpftoolFinds = (kind: string, id: number): boolean =>
  spawnSync('bpftool', [kind, 'show', 'id', String(id)], { stdio: 'ignore' }).status === 0;

describe.runIf(runBpfTests)('faults: the tracer or a target killed, an exec storm', () => {
  const children = new Set<ChildProcess>();
  let running: RunningFixture | undefined;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hw-faults-'));
  });

  afterEach(() => {
    running?.child.kill('SIGKILL');
    running = undefined;
    killAll(children);
    rmSync(dir, { recursive: true, force: true });
    expect(stoppedDescendants()).toEqual([]);
  });

  it('tracer SIGKILLed while tracing and holding: held processes resume within 1 s, targets run on, the kernel keeps nothing', async () => {
    running = await startFixture(clientPath(), ['-scenario', 'basic']);
    const { tracer, report } = await startHoldingTracer(dir, children, { clientPid: running.pid });
    expect(report.traced).toBe(true);
    expect(report.maps.length).toBeGreaterThan(0);
    expect(report.links.length).toBeGreaterThan(0);
    expect(stateOf(report.guardian)).toBeDefined();

    // Started by this test, so held by the tracer, which can no longer resume it.
    const heldRun = runProgram('sh', ['-c', '/bin/echo resumed; exit 0'], children);
    await waitFor(() => stoppedDescendants().length > 0, 'the exec to be held');
    await new Promise((r) => setTimeout(r, 100));
    expect(stoppedDescendants().length).toBeGreaterThan(0); // still stopped: only the guardian can help

    tracer.kill('SIGKILL');
    const resumedMs = await waitFor(() => stoppedDescendants().length === 0, 'every held process to resume');
    expect(resumedMs).toBeLessThan(1_000);
    expect(await heldRun).toMatchObject({ stdout: 'resumed\n', code: 0 });

    // The traced program runs on, unharmed, without its tracer.
    const { sent, exitCode } = await running.go();
    expect(exitCode).toBe(0);
    expect(sent.length).toBeGreaterThan(0);

    // The guardian exits after its last sweep, and with it the last reference to the maps.
    await waitFor(() => [undefined, 'Z'].includes(stateOf(report.guardian)), 'the guardian to exit', 2_000).catch(
      (e: Error) => {
        throw new Error(`${e.message}: ${stateOf(report.guardian)} ${JSON.stringify(report)}`);
      },
    );
    await waitFor(
      () =>
        !report.maps.some((id) => bpftoolFinds('map', id)) &&
        !report.links.some((id) => bpftoolFinds('link', id)) &&
        !report.programs.some((id) => bpftoolFinds('prog', id)),
      'the kernel to free every map, link and program',
      5_000,
    );
  });

  it('a target SIGKILLed mid-request: its exit is reported, its state released, and tracing goes on', async () => {
    const snoop = await Snooper.init();
    const recorder = new Recorder(snoop);
    try {
      const bulk = await snoop.spawn(clientPath(), ['-scenario', 'bulk', '-n', '1000000'], { stdio: 'ignore' });
      children.add(bulk.child);
      await recorder.until(() => recorder.eventsOf(bulk.pid).length > 1_000, 'requests of the bulk client');
      bulk.child.kill('SIGKILL');
      expect(await bulk.exited).toEqual({ code: null, signal: 'SIGKILL' });
      await recorder.until(() => recorder.noticesOf(bulk.pid, 'exit').length === 1, 'its exit notice');
      expect(recorder.noticesOf(bulk.pid, 'exit')).toEqual([
        expect.objectContaining({ code: null, signal: 'SIGKILL' }),
      ]);
      expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });

      const next = await snoop.spawn(clientPath(), ['-scenario', 'basic'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      next.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      expect(await next.exited).toEqual({ code: 0, signal: null });
      await recorder.until(() => recorder.noticesOf(next.pid, 'exit').length === 1, 'the next exit');
      await recorder.settle();
      expect(recorder.eventsOf(next.pid).map(asSent)).toEqual(truthOf(sentRequests(stdout)));
      expect(snoop.stats().decodeErrors).toBe(0);
    } finally {
      recorder.stop();
      await snoop.close();
    }
  });

  it('an exec storm under attachAll({ hold }) for a bounded time: every Go run traced from its first request, nothing left stopped or held', async () => {
    const snoop = await Snooper.init();
    const recorder = new Recorder(snoop);
    try {
      await snoop.attachAll({ hold: true, holdSubtree: process.pid });
      // Copies are new inodes: each is a binary never seen, held at its first exec, then decided.
      const copies = Array.from({ length: 4 }, (_, i) => {
        const copy = join(dir, `client-${i}`);
        copyFileSync(clientPath(), copy);
        return copy;
      });
      const deadline = Date.now() + 4_000;
      const goRuns: Array<Promise<{ stdout: string; code: number | null }>> = [];
      let rounds = 0;
      while (Date.now() < deadline) {
        // Each round: short-lived non-Go programs, and each Go copy, all as grandchildren (held).
        const round = [
          runProgram('sh', ['-c', 'for i in 1 2 3 4 5 6 7 8; do /bin/true; /bin/echo -n; done; exit 0'], children),
          ...copies.map((copy) => runProgram('sh', ['-c', '"$0" "$@"; exit $?', copy, '-scenario', 'basic'], children)),
        ];
        goRuns.push(...round.slice(1));
        const results = await Promise.all(round);
        expect(results.map((r) => r.code)).toEqual(round.map(() => 0));
        rounds++;
      }
      expect(rounds).toBeGreaterThan(1);
      const runs = await Promise.all(goRuns);
      // Each run talks to a server of its own: the port in its URLs tells its events apart.
      const portOf = (url: string): string => new URL(url).port;
      const truths = runs.map((r) => truthOf(sentRequests(r.stdout)));
      const capturedFor = (truth: (typeof truths)[number]) =>
        recorder.events.filter((e) => portOf(e.url) === portOf(truth[0]!.url)).map(asSent);
      expect(truths.every((truth) => truth.length > 0)).toBe(true);
      await recorder.until(
        () => truths.every((truth) => capturedFor(truth).length >= truth.length),
        'the requests of every Go run',
        10_000,
      );
      await recorder.settle();
      // Header names sorted: a Go map has no order.
      const canonical = (series: Array<ReturnType<typeof asSent>>): string =>
        JSON.stringify(series.map((r) => ({ ...r, headers: Object.entries(r.headers).sort() })));
      for (const truth of truths) expect(canonical(capturedFor(truth))).toBe(canonical(truth));
      expect(snoop.stats()).toMatchObject({ holdsSkipped: 0, holdsExpired: 0, decodeErrors: 0 });
      expect(snoop.kernelEntries().held).toBe(0);
    } finally {
      recorder.stop();
      await snoop.close();
    }
  });
});
