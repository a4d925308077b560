import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecPolicy } from './abi/bpf-abi.js';
import { decodeLifecycle } from './abi/decode-lifecycle.js';
import { encodeBinaryKey, encodeIgnore, encodeU32 } from './abi/encode-lifecycle.js';
import { BinaryRegistry } from './binary-registry.js';
import { EventDelivery } from './event-delivery.js';
import { ExecWatcher } from './exec-watcher.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import { MonotonicClock } from './monotonic-clock.js';
import { ProcessTable } from './process-table.js';
import { ProbeConfigCache, type ProcessBinaryResolver } from './resolve-process-binary.js';
import { SnooperError } from './snooper-error.js';
import { SnooperLifetime } from './snooper-lifetime.js';
import { SpawnedExecs } from './spawn-traced.js';
import { FakeProcesses, FakeTracer, fakeBinary, fakeFile, fakeProcessBinary } from './test-support/fake-tracer.js';
import { type LifecycleRecordSpec, lifecycleRecord } from './test-support/ring-records.js';
import { queuedSoFar } from './test-support/snooper-results.js';

const exec = (spec: Omit<LifecycleRecordSpec, 'kind'>) => decodeLifecycle(lifecycleRecord({ kind: 'exec', ...spec }));

/** The state letter of /proc/<pid>/stat: T while stopped. */
function stateOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ExecWatcher', () => {
  let tracer: FakeTracer;
  let world: FakeProcesses;
  let delivery: EventDelivery;
  let binaries: BinaryRegistry;
  let spawnedExecs: SpawnedExecs;
  let stopped: ChildProcess[];

  beforeEach(() => {
    tracer = new FakeTracer();
    world = new FakeProcesses();
    delivery = new EventDelivery(8, undefined);
    binaries = new BinaryRegistry(tracer);
    spawnedExecs = new SpawnedExecs();
    stopped = [];
  });

  afterEach(() => {
    for (const child of stopped) child.kill('SIGKILL');
  });

  function watcher(resolveProcessBinary: ProcessBinaryResolver = world.resolve): ExecWatcher {
    const lifetime = new SnooperLifetime();
    const parts = { tracer, lifetime, binaries, processSource: world, delivery };
    const processes = new ProcessTable({
      ...parts,
      resolveProcessBinary,
      clock: new MonotonicClock(0, 0n),
      responses: undefined,
      flush: () => undefined,
    });
    return new ExecWatcher({ ...parts, probeConfigs: new ProbeConfigCache(), processes, spawnedExecs });
  }

  const notices = (): Promise<LifecycleEvent[]> => queuedSoFar((signal) => delivery.lifecycle(signal));

  /** Notices as they come, for what is announced after an asynchronous decision. */
  function recorded(): LifecycleEvent[] {
    const seen: LifecycleEvent[] = [];
    void (async () => {
      for await (const notice of delivery.lifecycle(undefined)) seen.push(notice);
    })();
    return seen;
  }

  /** A real process (sleep), stopped as the exec tracepoint would stop it. */
  async function stoppedChild(): Promise<number> {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    stopped.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    process.kill(child.pid!, 'SIGSTOP');
    await until(() => stateOf(child.pid!) === 'T', 'the child to stop');
    return child.pid!;
  }

  it('attachAll() attaches what it finds, turns on exec reports (holding new binaries if asked) and exempts our children', async () => {
    world.start(100, '5000');
    const { processes } = await watcher().attachAll({ hold: true });
    expect(processes.map((p) => [p.pid, p.via])).toEqual([[100, 'all']]);
    const policy = tracer.maps.get('exec_policy')!;
    expect([policy.get(encodeU32(0).toString('hex')), policy.get(encodeU32(1).toString('hex'))]).toEqual([
      encodeU32(ExecPolicy.holdUnknown),
      encodeU32(process.pid),
    ]);
    expect(tracer.countElems('watched')).toBe(1); // the binary found, for its later processes
  });

  it('names how a process traced at exec was found: attachAll, a whole-binary watch, or spawn', async () => {
    world.start(100, '5000');
    const watches = watcher();
    await watches.attachAll({});
    const all = binaries.all()[0]!;
    const byFile = await binaries.acquire(fakeFile(fakeBinary(2n)), fakeProcessBinary(0, '0', fakeBinary(2n)), '/b');
    binaries.watch(byFile, 'whole');
    const spawned = await binaries.acquire(fakeFile(fakeBinary(3n)), fakeProcessBinary(0, '0', fakeBinary(3n)), '/c');
    binaries.watch(spawned, 'spawn');
    await notices();
    for (const [pid, binary] of [
      [201, all],
      [202, byFile],
      [203, spawned],
    ] as const)
      watches.onLifecycle(exec({ pid, startTicks: 1n, binaryId: binary.id, flags: ['traced'] }));
    expect((await notices()).map((n) => (n.kind === 'attach' ? [n.pid, n.via, n.process.exe] : n))).toEqual([
      [201, 'all', '/fake/1'],
      [202, 'binary', '/b'],
      [203, 'spawn', '/c'],
    ]);
    expect((await spawnedExecs.wait(203, 0))?.via).toBe('spawn');
  });

  it('reports a watched exec that found the traced_procs map full, and removes an entry whose rule was just dropped', async () => {
    const watches = watcher();
    const binary = await binaries.acquire(fakeFile(fakeBinary(2n)), fakeProcessBinary(0, '0', fakeBinary(2n)), '/b');
    binaries.watch(binary, 'whole');
    watches.onLifecycle(exec({ pid: 300, binaryId: binary.id, flags: ['tracedProcsFull'] }));
    tracer.setTraced(301, Buffer.alloc(8));
    watches.onLifecycle(exec({ pid: 301, binaryId: 99, flags: ['traced'] }));
    const [full, ...rest] = await notices();
    expect(rest).toEqual([]);
    expect(full).toMatchObject({ kind: 'error', pid: 300 });
    const error = (full as { error: SnooperError }).error;
    expect([error.code, error.message]).toEqual([
      'TOO_MANY_PROCESSES',
      'pid 300: not traced, the BPF traced_procs map is full; raise maxProcesses',
    ]);
    expect(tracer.countElems('traced_procs')).toBe(0);
  });

  it('in attachAll() mode attaches the process of an unknown binary; a binary not traceable is ignored in the kernel and not examined again', async () => {
    const notGo: ProcessBinaryResolver = async (pid) => {
      if (pid === 400) return world.resolve(pid);
      throw new SnooperError('NOT_GO_BINARY', `pid ${pid}: not a Go program`);
    };
    let examined = 0;
    const watches = watcher(async (pid, options) => {
      examined++;
      return notGo(pid, options);
    });
    await watches.attachAll({});
    const seen = recorded();
    world.start(400, '4000');
    watches.onLifecycle(exec({ pid: 400, startTicks: 4000n }));
    const binary = { dev: 0x800001n, ino: 77n, mtimeSec: 9n, mtimeNsec: 1 };
    watches.onLifecycle(exec({ pid: 401, binary }));
    await until(() => seen.length === 1 && tracer.countElems('ignored') === 1, 'the attach and the ignored entry');
    watches.onLifecycle(exec({ pid: 402, binary }));
    expect(seen.map((n) => [n.kind, n.pid])).toEqual([['attach', 400]]);
    expect(tracer.maps.get('ignored')!.get(encodeBinaryKey(binary).toString('hex'))).toEqual(encodeIgnore(binary));
    expect(examined).toBe(2);
  });

  it('reports a failure other than "not traceable" as an error notice', async () => {
    const watches = watcher(async (pid) => {
      throw new SnooperError('UNSUPPORTED_GO_VERSION', `pid ${pid}: go1.99 is not supported`);
    });
    await watches.attachAll({});
    const seen = recorded();
    watches.onLifecycle(exec({ pid: 500 }));
    await until(() => seen.length === 1, 'the error notice');
    expect(seen[0]).toMatchObject({ kind: 'error', pid: 500, error: { code: 'UNSUPPORTED_GO_VERSION' } });
  });

  it('continues a held process once its binary is decided', async () => {
    const pid = await stoppedChild();
    const watches = watcher(async () => {
      throw new SnooperError('NOT_GO_BINARY', 'not Go');
    });
    await watches.attachAll({ hold: true });
    watches.onLifecycle(exec({ pid, flags: ['held'] }));
    await until(() => stateOf(pid) !== 'T', 'the held process to continue');
  });

  it('continues a held process at once outside attachAll() mode, and every process still held at resumeHeld()', async () => {
    const first = await stoppedChild();
    watcher().onLifecycle(exec({ pid: first, flags: ['held'] }));
    await until(() => stateOf(first) !== 'T', 'the held process to continue');

    const second = await stoppedChild();
    const watches = watcher(() => new Promise(() => undefined)); // the decision never comes
    await watches.attachAll({ hold: true });
    watches.onLifecycle(exec({ pid: second, flags: ['held'] }));
    await new Promise((r) => setTimeout(r, 20));
    expect(stateOf(second)).toBe('T');
    watches.resumeHeld();
    await until(() => stateOf(second) !== 'T', 'resumeHeld() to continue it');
  });

  it('stopHolding() sets the exec policy back to watched binaries only, after attachAll() and only then', async () => {
    const watches = watcher();
    watches.stopHolding();
    expect(tracer.countElems('exec_policy')).toBe(0);
    await watches.attachAll({ hold: true });
    watches.stopHolding();
    expect(tracer.maps.get('exec_policy')!.get(encodeU32(0).toString('hex'))).toEqual(
      encodeU32(ExecPolicy.watchedOnly),
    );
  });
});
