import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { Snooper } from './snooper.js';
import { startFixture, type RunningFixture } from './test-support/fixtures.js';
import { codeOf } from './test-support/snooper-results.js';
import {
  Recorder,
  asSent,
  clientPath,
  killAll,
  openFds,
  programPath,
  runProgram,
  sentRequests,
  truthOf,
} from './test-support/lifecycle-fixtures.js';

describe.runIf(runBpfTests)('lifecycle (real BPF, real Go processes)', () => {
  const children = new Set<ChildProcess>();
  const fixtures: RunningFixture[] = [];
  let snoop: Snooper;
  let recorder: Recorder;

  const waiting = async (args: string[] = ['-scenario', 'basic']): Promise<RunningFixture> => {
    const fixture = await startFixture(clientPath(), args);
    fixtures.push(fixture);
    return fixture;
  };

  beforeEach(async () => {
    snoop = await Snooper.init();
    recorder = new Recorder(snoop);
  });

  afterEach(async () => {
    recorder.stop();
    await snoop.close();
    for (const f of fixtures.splice(0)) f.child.kill('SIGKILL');
    killAll(children);
  });

  it('spawn() traces a short-lived program from its first request and returns its exit code', async () => {
    const started = await snoop.spawn(clientPath(), ['-scenario', 'basic'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    started.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    expect(started.process).toMatchObject({
      pid: started.pid,
      via: 'spawn',
      goVersion: expect.stringMatching(/^go1\.24/),
      mainModule: 'httpwatcher.test/client',
    });
    expect(await started.exited).toEqual({ code: 0, signal: null });
    await recorder.until(() => recorder.noticesOf(started.pid, 'exit').length > 0, 'the exit notice');
    await recorder.settle();
    const sent = sentRequests(stdout);
    expect(sent).toHaveLength(5);
    expect(recorder.eventsOf(started.pid).map(asSent)).toEqual(truthOf(sent));
    expect(recorder.noticesOf(started.pid, 'exit')).toEqual([
      expect.objectContaining({ code: 0, signal: null, replaced: false }),
    ]);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
  });

  it('spawn() reports a failing exit code, and rejects a missing command with NO_SUCH_FILE', async () => {
    const started = await snoop.spawn(clientPath(), ['-scenario', 'no-such-scenario'], { stdio: 'ignore' });
    expect(await started.exited).toEqual({ code: 2, signal: null });
    expect(await codeOf(snoop.spawn('/nonexistent/program'))).toBe('NO_SUCH_FILE');
    expect(await codeOf(snoop.spawn('httpwatcher-no-such-command', [], { env: { PATH: '/usr/bin' } }))).toBe(
      'NO_SUCH_FILE',
    );
    await recorder.until(() => recorder.noticesOf(started.pid, 'exit').length > 0, 'the exit notice');
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
  });

  it('two replicas of one binary share one uprobe link, and events come from both', async () => {
    const [a, b] = await Promise.all([waiting(), waiting()]);
    await Promise.all([snoop.attach(a.pid), snoop.attach(b.pid)]);
    expect(snoop.stats().links).toBe(1);
    expect(snoop.kernelEntries()).toMatchObject({ tracedProcs: 2, probeConfigs: 1, links: 1 });
    const [ra, rb] = await Promise.all([a.go(), b.go()]);
    await recorder.until(
      () => recorder.noticesOf(a.pid, 'exit').length + recorder.noticesOf(b.pid, 'exit').length === 2,
      'both exits',
    );
    await recorder.settle();
    expect(recorder.eventsOf(a.pid).map(asSent)).toEqual(truthOf(ra.sent));
    expect(recorder.eventsOf(b.pid).map(asSent)).toEqual(truthOf(rb.sent));
  });

  it('a traced process exits: its kernel state goes at once, the others go on, and a new one attaches', async () => {
    const [a, b] = await Promise.all([waiting(), waiting()]);
    await snoop.attach(a.pid);
    await snoop.attach(b.pid);
    a.child.kill('SIGTERM');
    await recorder.until(() => recorder.noticesOf(a.pid, 'exit').length === 1, 'the exit notice');
    expect(recorder.noticesOf(a.pid, 'exit')[0]).toMatchObject({
      code: null,
      signal: 'SIGTERM',
      replaced: false,
      nsPid: a.pid,
    });
    expect(snoop.processes().map((p) => p.pid)).toEqual([b.pid]);
    expect(snoop.kernelEntries()).toMatchObject({ tracedProcs: 1, links: 1 });

    const c = await waiting();
    await snoop.attach(c.pid);
    const [rb, rc] = await Promise.all([b.go(), c.go()]);
    await recorder.until(
      () => recorder.eventsOf(b.pid).length === 5 && recorder.eventsOf(c.pid).length === 5,
      'events of b and c',
    );
    expect(recorder.eventsOf(b.pid).map(asSent)).toEqual(truthOf(rb.sent));
    expect(recorder.eventsOf(c.pid).map(asSent)).toEqual(truthOf(rc.sent));
    await recorder.until(() => snoop.kernelEntries().tracedProcs === 0, 'cleanup after both exits');
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
  });

  it("a kernel entry whose start time is not the process's (a reused PID) is never read", async () => {
    const fixture = await waiting();
    // A resolver and a process source that both see an older start time, as if the PID had been reused.
    const { resolveProcessBinary } = await import('./resolve-process-binary.js');
    const { procProcessSource } = await import('./process-source.js');
    const stale = await Snooper.init({
      resolveProcessBinary: async (pid, options) => ({ ...(await resolveProcessBinary(pid, options)), startTime: '1' }),
      processes: {
        list: procProcessSource.list,
        identify: async (pid) => ({ ...(await procProcessSource.identify(pid))!, startTime: '1' }),
      },
    });
    try {
      await stale.attach(fixture.pid);
      const { sent } = await fixture.go();
      await new Promise((r) => setTimeout(r, 200));
      stale.flush();
      expect(sent).toHaveLength(5);
      expect(stale.stats()).toMatchObject({ events: 0, hits: 0 });
    } finally {
      await stale.close();
    }
  });

  it('200 processes are traced at once through one link, and all their exits are cleaned up', async () => {
    const many = await Promise.all(Array.from({ length: 200 }, () => waiting()));
    const attached = await Promise.all(many.map((f) => snoop.attach(f.pid)));
    expect(new Set(attached.map((a) => a.pid)).size).toBe(200);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 200, watched: 0, probeConfigs: 1, links: 1, held: 0 });
    for (const f of many) f.child.kill('SIGKILL');
    await recorder.until(
      () => recorder.notices.filter((n) => n.kind === 'exit').length === 200,
      '200 exit notices',
      30_000,
    );
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
  }, 180_000);

  it('1000 attach/detach cycles leave no links, map entries or file descriptors behind', async () => {
    // Each new uprobe waits for an RCU grace period in the kernel, so the 1000 cycles reuse one
    // probe (probeLingerMs); 20 more below create and free it every time.
    await snoop.close();
    snoop = await Snooper.init({ probeLingerMs: 300 });
    recorder = new Recorder(snoop);
    const fixture = await waiting();
    const before = openFds();
    // The first attach starts the snooper's analysis worker, whose event loop holds descriptors of
    // its own for the snooper's lifetime (each snooper has one): count those in the baseline of the
    // total, taken once the warm-up probe is gone.
    await snoop.attach(fixture.pid);
    await snoop.detach(fixture.pid);
    await recorder.until(() => snoop.kernelEntries().links === 0, 'the warm-up probe to go', 5_000);
    await recorder.until(() => openFds().bpf <= before.bpf, "the warm-up link's fd to close", 10_000);
    const totalWithWorker = openFds().total;
    for (let i = 0; i < 1000; i++) {
      await snoop.attach(fixture.pid);
      await snoop.detach(fixture.pid);
    }
    expect(snoop.kernelEntries()).toMatchObject({ tracedProcs: 0, watched: 0 });
    await recorder.until(() => snoop.kernelEntries().links === 0, 'the lingering probe to go', 5_000);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });

    await snoop.close();
    snoop = await Snooper.init();
    recorder = new Recorder(snoop);
    for (let i = 0; i < 20; i++) {
      await snoop.attach(fixture.pid);
      await snoop.detach(fixture.pid);
    }
    // Detached links are freed on background threads (an RCU grace period each): wait for them.
    await recorder.until(() => openFds().bpf <= before.bpf, "the detached links' fds to close", 10_000);
    expect(openFds().bpf).toBe(before.bpf);
    expect(openFds().total).toBeLessThanOrEqual(totalWithWorker);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });

    // Still traced correctly afterwards.
    await snoop.attach(fixture.pid);
    const { sent } = await fixture.go();
    await recorder.until(() => recorder.eventsOf(fixture.pid).length === 5, 'events after the cycles');
    expect(recorder.eventsOf(fixture.pid).map(asSent)).toEqual(truthOf(sent));
  }, 60_000);

  it('close() during an attach in flight rejects it with CLOSED and leaves no fd behind', async () => {
    const fixture = await waiting();
    await snoop.close();
    const before = openFds();
    const s = await Snooper.init();
    const attaching = s.attach(fixture.pid);
    await s.close();
    expect(await codeOf(attaching)).toBe('CLOSED');
    expect(openFds().bpf).toBe(before.bpf);
    expect(openFds().total).toBeLessThanOrEqual(before.total);
  });

  it('attachBinary() traces the processes running a file now and those started later, from their first request', async () => {
    const running = await waiting();
    const result = await snoop.attachBinary(clientPath());
    expect(result.processes.map((p) => p.pid)).toEqual([running.pid]);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 1, watched: 1, probeConfigs: 1, links: 1, held: 0 });
    const later = await runProgram(clientPath(), ['-scenario', 'basic'], children);
    const { sent } = await running.go();
    await recorder.until(
      () => recorder.eventsOf(later.pid).length === 5 && recorder.eventsOf(running.pid).length === 5,
      'events of both',
    );
    expect(recorder.eventsOf(later.pid).map(asSent)).toEqual(truthOf(sentRequests(later.stdout)));
    expect(recorder.eventsOf(running.pid).map(asSent)).toEqual(truthOf(sent));
    expect(recorder.noticesOf(later.pid, 'attach')).toEqual([expect.objectContaining({ via: 'binary' })]);
    expect(snoop.kernelEntries().links).toBe(1);
    expect(await snoop.detachBinary(clientPath())).toBe(true);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
  });

  it('rejects what cannot be traced with stable codes and leaves nothing behind', async () => {
    const noclient = await startFixture(programPath('noclient'));
    fixtures.push(noclient);
    expect(await codeOf(snoop.attach(noclient.pid))).toBe('NO_HTTP_CLIENT');
    expect(await codeOf(snoop.attach(process.pid))).toBe('NOT_GO_BINARY');
    expect(await codeOf(snoop.attach(2 ** 22 + 7))).toBe('NO_SUCH_PROCESS');
    expect(await codeOf(snoop.attachBinary('/bin/true'))).toBe('NOT_GO_BINARY');
    expect(await codeOf(snoop.attachBinary(clientPath().replace('/default/', '/arm64-default/')))).toBe(
      'UNSUPPORTED_ARCH',
    );
    expect(await codeOf(snoop.spawn(programPath('noclient')))).toBe('NO_HTTP_CLIENT');
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
    expect(snoop.processes()).toEqual([]);
  });
});
