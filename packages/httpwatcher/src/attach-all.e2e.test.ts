import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { Snooper } from './snooper.js';
import { startFixture, type RunningFixture } from './test-support/fixtures.js';
import { stoppedDescendants } from './test-support/process-states.js';
import {
  Recorder,
  asSent,
  clientPath,
  killAll,
  runProgram,
  sentRequests,
  truthOf,
} from './test-support/lifecycle-fixtures.js';

describe.runIf(runBpfTests)('attachAll(): every Go process with net/http, existing and future', () => {
  const children = new Set<ChildProcess>();
  let running: RunningFixture | undefined;
  let snoop: Snooper;
  let recorder: Recorder;
  let dir: string;

  beforeEach(async () => {
    snoop = await Snooper.init();
    recorder = new Recorder(snoop);
    dir = mkdtempSync(join(tmpdir(), 'hw-all-'));
  });

  afterEach(async () => {
    recorder.stop();
    await snoop.close();
    running?.child.kill('SIGKILL');
    killAll(children);
    rmSync(dir, { recursive: true, force: true });
  });

  it('traces a running Go process, and a never-seen binary started later from its first request (hold)', async () => {
    running = await startFixture(clientPath(), ['-scenario', 'basic']);
    // A copy is a new inode: a binary this Snooper has never seen, decided at its first exec.
    const fresh = join(dir, 'client-copy');
    copyFileSync(clientPath(), fresh);

    // Holding only what this test starts: never a process of anyone else on the machine.
    const { processes } = await snoop.attachAll({ hold: true, holdSubtree: process.pid });
    expect(processes.find((p) => p.pid === running!.pid)).toMatchObject({ via: 'all' });

    // Through sh, so that the programs are not our children (which are never held), but our grandchildren.
    const viaShell = (program: string, ...args: string[]): Promise<{ stdout: string; code: number | null }> =>
      runProgram('sh', ['-c', '"$0" "$@"; exit $?', program, ...args], children);
    const first = await viaShell(fresh, '-scenario', 'basic');
    expect(first.code).toBe(0);
    // A program that is not Go is let go at once (and costs nothing from now on).
    expect(await viaShell('/bin/echo', 'resumed')).toEqual({ stdout: 'resumed\n', code: 0, pid: expect.any(Number) });
    const second = await viaShell(fresh, '-scenario', 'basic');
    const { sent } = await running.go();

    // Under load (CI runs test files side by side on 2 CPUs) the last exit notice came after 5 s.
    await recorder.until(
      () => recorder.notices.filter((n) => n.kind === 'exit').length === 3,
      'the three exits',
      15_000,
    );
    await recorder.settle();
    const [firstPid, secondPid] = recorder.notices.flatMap((n) =>
      n.kind === 'attach' && n.process.exe === fresh ? [n.pid] : [],
    );
    expect(recorder.eventsOf(firstPid!).map(asSent)).toEqual(truthOf(sentRequests(first.stdout)));
    expect(recorder.eventsOf(secondPid!).map(asSent)).toEqual(truthOf(sentRequests(second.stdout)));
    expect(recorder.eventsOf(running.pid).map(asSent)).toEqual(truthOf(sent));
    // The second run of the copy was traced by the kernel at exec: the binary was known by then.
    expect(recorder.noticesOf(secondPid!, 'attach')).toEqual([expect.objectContaining({ via: 'all' })]);
    // Each held process was resumed by this Snooper's decision, not by the guardian's timeout.
    expect(snoop.stats()).toMatchObject({ holdsSkipped: 0, holdsExpired: 0 });
    expect(stoppedDescendants()).toEqual([]);
  });
});
