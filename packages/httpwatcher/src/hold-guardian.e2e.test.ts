import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import type { LifecycleEvent } from './lifecycle-event.js';
import { Snooper } from './snooper.js';
import { startFixture } from './test-support/fixtures.js';
import { cgroup2Mount, cgroupOf, startHoldingTracer } from './test-support/holding-tracer.js';
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

/** The hold guardian among this process's children (comm is cut to 15 characters). */
function guardianPid(): number {
  const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(' ');
  const pid = children
    .map(Number)
    .find((child) => stateOf(child) && readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'hold-guardian');
  if (!pid) throw new Error('no hold-guardian child');
  return pid;
}

// Each held program is a never-seen copy of the Go client fixture, run as a grandchild of this
// test (through sh): holds are scoped to this test's descendants (holdSubtree), and the tracer's
// own children are never held.
describe.runIf(runBpfTests)('the hold guardian: killed with its tracer, or alone', () => {
  const children = new Set<ChildProcess>();
  let dir: string;
  let cgroup: string | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hw-guardian-'));
  });

  afterEach(async () => {
    killAll(children);
    if (cgroup) {
      const path = cgroup;
      await waitFor(
        () => readFileSync(join(path, 'cgroup.events'), 'utf8').includes('populated 0'),
        'the test cgroup to empty',
      );
      rmdirSync(path);
      cgroup = undefined;
    }
    rmSync(dir, { recursive: true, force: true });
    expect(stoppedDescendants()).toEqual([]);
  });

  /** A never-seen Go binary (a new inode), run as a grandchild: held at its exec. */
  function heldGoRun(name: string): Promise<{ stdout: string; code: number | null }> {
    const copy = join(dir, name);
    copyFileSync(clientPath(), copy);
    return runProgram('sh', ['-c', '"$0" "$@"; exit $?', copy, '-scenario', 'basic'], children);
  }

  it('tracer and guardian in one cgroup, killed by cgroup.kill: the guardian had left it, and the held Go program runs within 1 s and completes', async () => {
    cgroup = join(cgroup2Mount(), `hw-test-hold-${process.pid}`);
    mkdirSync(cgroup);
    const { tracer, report } = await startHoldingTracer(dir, children, { cgroup });
    expect(cgroupOf(tracer.pid!)).toBe(`/${cgroup.split('/').at(-1)}`);
    expect(cgroupOf(report.guardian)).toBe('/httpwatcher-hold-guardian');

    const heldRun = heldGoRun('client-held');
    await waitFor(() => stoppedDescendants().length > 0, 'the exec to be held');
    await new Promise((r) => setTimeout(r, 100));
    expect(stoppedDescendants().length).toBeGreaterThan(0); // the tracer is blocked: it resumes nothing

    writeFileSync(join(cgroup, 'cgroup.kill'), '1'); // SIGKILL to every process of the cgroup, as systemd's last step does
    const resumedMs = await waitFor(() => stoppedDescendants().length === 0, 'every held process to resume', 3_000);
    expect(resumedMs).toBeLessThan(1_000);
    const run = await heldRun;
    expect(run.code).toBe(0);
    expect(sentRequests(run.stdout).length).toBeGreaterThan(0);
    if (tracer.exitCode === null && tracer.signalCode === null) await new Promise((r) => tracer.once('exit', r));
    expect(tracer.signalCode).toBe('SIGKILL');
    // Once its tracer is gone, the guardian ends too: it never outlives it by more than its last sweeps.
    await waitFor(() => [undefined, 'Z'].includes(stateOf(report.guardian)), 'the guardian to exit', 2_000);
  });

  it('guardian SIGKILLed alone while the tracer is blocked: the held Go program resumes within 1 s, a HOLD_GUARDIAN_LOST notice follows, and tracing goes on', async () => {
    const snoop = await Snooper.init();
    const recorder = new Recorder(snoop);
    try {
      await snoop.attachAll({ hold: true, holdSubtree: process.pid, holdTimeoutMs: 60_000 });
      const guardian = guardianPid();
      const copy = join(dir, 'client-held');
      copyFileSync(clientPath(), copy);
      // Our own child (never held) notes the time, then kills the guardian, 300 ms from now, while this
      // event loop is blocked below by the held program: only the addon's thread can resume it.
      const killedAt = join(dir, 'killed-at');
      const kill = `setTimeout(() => { require('fs').writeFileSync(${JSON.stringify(killedAt)}, String(Date.now())); process.kill(${guardian}, 'SIGKILL'); }, 300)`;
      children.add(spawn(process.execPath, ['-e', kill], { stdio: 'ignore' }));
      const stdout = execFileSync('sh', ['-c', '"$0" "$@"; exit $?', copy, '-scenario', 'basic'], {
        timeout: 10_000,
      }).toString();
      // It was held until then: the guardian is dead by the time it ends (it would end in 100 ms if not held).
      expect([undefined, 'Z']).toContain(stateOf(guardian));
      // From the kill to the program's end (its whole run included): under 1 s.
      expect(Date.now() - Number(readFileSync(killedAt, 'utf8'))).toBeLessThan(1_000);
      expect(sentRequests(stdout).length).toBeGreaterThan(0);

      const guardianLost = (): LifecycleEvent[] =>
        recorder.notices.filter((n) => n.kind === 'error' && n.error.code === 'HOLD_GUARDIAN_LOST');
      await recorder.until(() => guardianLost().length > 0, 'the HOLD_GUARDIAN_LOST notice');
      expect(guardianLost()).toEqual([expect.objectContaining({ kind: 'error', pid: guardian })]);
      expect(snoop.kernelEntries().held).toBe(0);

      // New binaries are no longer held: one runs to its end while this event loop is blocked.
      const unheld = join(dir, 'client-unheld');
      copyFileSync(clientPath(), unheld);
      execFileSync('sh', ['-c', '"$0" "$@"; exit $?', unheld, '-scenario', 'basic'], { timeout: 5_000 });
      // And tracing goes on: another never-seen Go program is found and traced, its requests equal its report.
      const next = join(dir, 'client-next');
      copyFileSync(clientPath(), next);
      const running = await startFixture(next, ['-scenario', 'basic']);
      children.add(running.child);
      await recorder.until(() => recorder.noticesOf(running.pid, 'attach').length === 1, 'its attach');
      const { sent, exitCode } = await running.go();
      expect(exitCode).toBe(0);
      await recorder.until(() => recorder.eventsOf(running.pid).length >= sent.length, 'its requests');
      expect(recorder.eventsOf(running.pid).map(asSent)).toEqual(truthOf(sent));

      // Holding again takes another guardian.
      await snoop.attachAll({ hold: true, holdSubtree: process.pid, holdTimeoutMs: 60_000 });
      expect(guardianPid()).not.toBe(guardian);
      expect((await heldGoRun('client-held-again')).code).toBe(0);
      expect(snoop.stats().decodeErrors).toBe(0);
    } finally {
      recorder.stop();
      await snoop.close();
    }
  });
});
