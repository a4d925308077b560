import { OffsetsError } from '@httpwatcher/go-offsets';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExecPolicy, ExecPolicySlot } from './abi/bpf-abi.js';
import { decodeLifecycle } from './abi/decode-lifecycle.js';
import { encodeBinaryKey, encodeIgnore, encodeU32 } from './abi/encode-lifecycle.js';
import { BinaryRegistry, defaultRegistryLimits } from './binary-registry.js';
import { EventDelivery } from './event-delivery.js';
import { ExecWatcher } from './exec-watcher.js';
import { HeldProcesses } from './held-processes.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import { MonotonicClock } from './monotonic-clock.js';
import { ProcessTable } from './process-table.js';
import { ProbeConfigCache, type ProcessBinaryResolver } from './resolve-process-binary.js';
import { SnooperError } from './snooper-error.js';
import { SnooperLifetime } from './snooper-lifetime.js';
import { SpawnedExecs } from './spawn-traced.js';
import {
  FakeGuardian,
  FakeProcesses,
  FakeTracer,
  fakeBinary,
  fakeFile,
  fakeProcessBinary,
} from './test-support/fake-tracer.js';
import { type LifecycleRecordSpec, lifecycleRecord } from './test-support/ring-records.js';
import { queuedSoFar } from './test-support/snooper-results.js';

const exec = (spec: Omit<LifecycleRecordSpec, 'kind'>) => decodeLifecycle(lifecycleRecord({ kind: 'exec', ...spec }));

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
  let guardians: FakeGuardian[];

  beforeEach(() => {
    tracer = new FakeTracer();
    world = new FakeProcesses();
    delivery = new EventDelivery(8, undefined);
    binaries = new BinaryRegistry(tracer);
    spawnedExecs = new SpawnedExecs();
    guardians = [];
  });

  function watcher(resolveProcessBinary: ProcessBinaryResolver = world.resolve, maxUntraceable?: number): ExecWatcher {
    const lifetime = new SnooperLifetime();
    const parts = { tracer, lifetime, binaries, processSource: world, delivery };
    const processes = new ProcessTable({
      ...parts,
      resolveProcessBinary,
      clock: new MonotonicClock(0, 0n),
      responses: undefined,
      flush: () => undefined,
    });
    const startGuardian = async (timeoutMs: number): Promise<FakeGuardian> => {
      guardians.push(new FakeGuardian(timeoutMs));
      return guardians.at(-1)!;
    };
    const held = new HeldProcesses(tracer, startGuardian, (pid) => watches.onGuardianLost(pid));
    const watches = new ExecWatcher({
      ...parts,
      probeConfigs: new ProbeConfigCache(),
      processes,
      spawnedExecs,
      held,
      ...(maxUntraceable !== undefined && { maxUntraceable }),
    });
    return watches;
  }

  /** A process the exec tracepoint stopped: its `held` entry, then its exec record. */
  function heldExec(watches: ExecWatcher, pid: number): void {
    tracer.hold(pid);
    watches.onLifecycle(exec({ pid, flags: ['held'] }));
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

  it('attachAll() attaches what it finds, turns on exec reports (holding new binaries if asked) and exempts our children', async () => {
    world.start(100, '5000');
    const { processes } = await watcher().attachAll({ hold: true });
    expect(processes.map((p) => [p.pid, p.via])).toEqual([[100, 'all']]);
    const policy = tracer.maps.get('exec_policy')!;
    const slot = (n: number): Buffer | undefined => policy.get(encodeU32(n).toString('hex'));
    expect([slot(ExecPolicySlot.mode), slot(ExecPolicySlot.exemptParent), slot(ExecPolicySlot.holdSubtree)]).toEqual([
      encodeU32(ExecPolicy.holdUnknown),
      encodeU32(process.pid),
      encodeU32(0),
    ]);
    expect(guardians.map((g) => g.timeoutMs)).toEqual([1000]); // started before the policy, with the default
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

  it('reports an analysis over its budget as an error notice, and examines that binary again at its next exec', async () => {
    let examined = 0;
    const watches = watcher(async (pid) => {
      examined++;
      throw new OffsetsError('BUDGET_EXCEEDED', `/proc/${pid}/exe: expected the analysis to finish within 10000 ms`);
    });
    await watches.attachAll({});
    const seen = recorded();
    const binary = { dev: 0x800001n, ino: 78n, mtimeSec: 9n, mtimeNsec: 1 };
    watches.onLifecycle(exec({ pid: 510, binary }));
    await until(() => seen.length === 1, 'the error notice');
    watches.onLifecycle(exec({ pid: 511, binary }));
    await until(() => seen.length === 2, 'the second error notice');
    expect(seen.map((n) => [n.kind, n.pid, n.kind === 'error' && n.error.code])).toEqual([
      ['error', 510, 'ANALYSIS_BUDGET_EXCEEDED'],
      ['error', 511, 'ANALYSIS_BUDGET_EXCEEDED'],
    ]);
    expect([examined, tracer.countElems('ignored')]).toEqual([2, 0]);
  });

  it('resumes a held process once its binary is decided, through its held entry', async () => {
    const watches = watcher(async () => {
      throw new SnooperError('NOT_GO_BINARY', 'not Go');
    });
    await watches.attachAll({ hold: true });
    heldExec(watches, 4242);
    await until(() => tracer.resumed.length === 1, 'the held process to be resumed');
    expect(tracer.resumed).toEqual([4242]);
    expect(tracer.countElems('held')).toBe(0);
  });

  it('counts a hold the guardian ended first (past its deadline) as expired, and resumes nothing twice', async () => {
    let decide!: () => void;
    const watches = watcher(
      () =>
        new Promise((_, reject) => {
          decide = () => reject(new SnooperError('NOT_GO_BINARY', 'not Go'));
        }),
    );
    await watches.attachAll({ hold: true, holdTimeoutMs: 50 });
    heldExec(watches, 4242);
    tracer.deleteElem('held', encodeU32(4242)); // the guardian took the entry and resumed it
    decide();
    const held = (watches as unknown as { parts: { held: HeldProcesses } }).parts.held;
    await until(() => held.expired === 1, 'the expiry to be counted');
    expect(tracer.resumed).toEqual([]);
    expect(guardians.map((g) => g.timeoutMs)).toEqual([50]);
  });

  it('resumes a held process at once outside attachAll() mode', async () => {
    heldExec(watcher(), 4242);
    expect(tracer.resumed).toEqual([4242]);
  });

  it('when the guardian dies, stops holding (reports instead), resumes every held process and says so', async () => {
    const watches = watcher(() => new Promise(() => undefined)); // the decision never comes
    await watches.attachAll({ hold: true });
    heldExec(watches, 4242);
    tracer.hold(4343); // stopped, its record not read yet
    guardians[0]!.exit();
    await until(() => tracer.resumed.length === 2, 'both to be resumed');
    expect(tracer.resumed.sort()).toEqual([4242, 4343]);
    const mode = (): Buffer | undefined =>
      tracer.maps.get('exec_policy')!.get(encodeU32(ExecPolicySlot.mode).toString('hex'));
    expect(mode()).toEqual(encodeU32(ExecPolicy.reportUnknown));
    const [lost] = await notices();
    expect(lost).toMatchObject({ kind: 'error', pid: 99_999, error: { code: 'HOLD_GUARDIAN_LOST' } });
    // Holding again needs a guardian again.
    await watches.attachAll({ hold: true });
    expect(guardians).toHaveLength(2);
    expect(mode()).toEqual(encodeU32(ExecPolicy.holdUnknown));
  });

  it('rejects a bad holdTimeoutMs or holdSubtree, and a second timeout, with INVALID_ARGUMENT before any policy', async () => {
    const watches = watcher();
    for (const options of [
      { holdTimeoutMs: 0 },
      { holdTimeoutMs: 1.5 },
      { holdTimeoutMs: 60_001 },
      { holdSubtree: -1 },
    ])
      await expect(watches.attachAll({ hold: true, ...options })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(tracer.countElems('exec_policy')).toBe(0);
    await watches.attachAll({ hold: true, holdTimeoutMs: 200, holdSubtree: 77 });
    expect(tracer.maps.get('exec_policy')!.get(encodeU32(ExecPolicySlot.holdSubtree).toString('hex'))).toEqual(
      encodeU32(77),
    );
    await expect(watches.attachAll({ hold: true, holdTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('holdTimeoutMs is 200 for this Snooper already'),
    });
    expect(guardians).toHaveLength(1);
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

  it('in attachAll() mode lets a binary go once its last process exits: link, layout and exec rule', async () => {
    binaries = new BinaryRegistry(tracer, process.pid, false, { ...defaultRegistryLimits, allLingerMs: 0 });
    world.start(100, '5000');
    const watches = watcher();
    await watches.attachAll({});
    expect([tracer.countElems('watched'), tracer.countElems('probe_configs'), tracer.linkCount()]).toEqual([1, 1, 1]);
    watches.onLifecycle(decodeLifecycle(lifecycleRecord({ kind: 'exit', pid: 100, startTicks: 5000n })));
    // The rule at once; the probe once the ring is drained, a moment later (never inside a batch).
    expect([tracer.countElems('watched'), tracer.countElems('probe_configs'), tracer.linkCount()]).toEqual([0, 1, 1]);
    await until(() => tracer.linkCount() === 0, 'the probe released');
    expect([tracer.countElems('watched'), tracer.countElems('probe_configs'), tracer.linkCount()]).toEqual([0, 0, 0]);
    expect(binaries.size).toBe(0);
  });

  it('in attachAll() mode decides again the exec of a binary let go just before it, instead of losing the process', async () => {
    const watches = watcher();
    await watches.attachAll({});
    const seen = recorded();
    world.start(600, '6000');
    tracer.setTraced(600, Buffer.alloc(8)); // the kernel's entry, written under the rule just removed
    watches.onLifecycle(exec({ pid: 600, startTicks: 6000n, binaryId: 99, flags: ['traced'] }));
    await until(() => seen.length === 1, 'the attach');
    expect(seen.map((n) => n.kind === 'attach' && [n.pid, n.via])).toEqual([[600, 'all']]);
    expect(tracer.countElems('traced_procs')).toBe(1); // written again, with the new binary's id
  });

  it('remembers at most maxUntraceable binaries as not traceable, least recently used first out, and counts what it forgot', async () => {
    let examined = 0;
    const watches = watcher(async (pid) => {
      examined++;
      throw new SnooperError('NOT_GO_BINARY', `pid ${pid}: not a Go program`);
    }, 2);
    await watches.attachAll({});
    const file = (ino: bigint) => ({ dev: 0x800001n, ino, mtimeSec: 9n, mtimeNsec: 1 });
    for (const [pid, ino] of [
      [700, 1n],
      [701, 2n],
      [702, 3n],
    ] as const) {
      watches.onLifecycle(exec({ pid, binary: file(ino) }));
      await until(() => examined === pid - 699, `pid ${pid} examined`);
    }
    await until(() => watches.untraceableEvicted === 1, 'the first binary forgotten');
    watches.onLifecycle(exec({ pid: 703, binary: file(3n) })); // remembered: not examined again
    watches.onLifecycle(exec({ pid: 704, binary: file(1n) })); // forgotten: examined again
    await until(() => examined === 4, 'the forgotten binary examined again');
    await new Promise((r) => setTimeout(r, 20));
    expect(examined).toBe(4);
  });
});
