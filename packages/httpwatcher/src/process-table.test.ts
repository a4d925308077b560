import { statSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { probeConfigFields, tracedLayout } from './abi/bpf-abi.js';
import { decodeLifecycle } from './abi/decode-lifecycle.js';
import { encodeTraced, encodeU32 } from './abi/encode-lifecycle.js';
import { encodeProbeConfig } from './abi/encode-probe-config.js';
import { recordsOf } from './abi/ring-records.js';
import { kernelDev } from './binary-identity.js';
import { BinaryRegistry, defaultRegistryLimits } from './binary-registry.js';
import { EventDelivery } from './event-delivery.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import { MonotonicClock } from './monotonic-clock.js';
import { mappedAddressOf } from './process-mappings.js';
import { ProcessTable } from './process-table.js';
import type { ProcessBinaryResolver } from './resolve-process-binary.js';
import { SnooperLifetime } from './snooper-lifetime.js';
import { FakeProcesses, FakeTracer, fakeBinary, fakeFile, fakeProcessBinary } from './test-support/fake-tracer.js';
import { lifecycleRecord } from './test-support/ring-records.js';
import { codeOf, queuedSoFar } from './test-support/snooper-results.js';

const readOnlyData = { vaddr: 0x6a0000, sizeBytes: 0x2000, fileOffset: 0x2a0000 };

function roLo(traced: Buffer): number {
  const [, offset] = probeConfigFields.find(([name]) => name === 'ro_lo')!;
  return Number(traced.readBigUInt64LE(tracedLayout.config + offset));
}

describe('ProcessTable', () => {
  let tracer: FakeTracer;
  let world: FakeProcesses;
  let lifetime: SnooperLifetime;
  let delivery: EventDelivery;
  let binaries: BinaryRegistry;

  beforeEach(() => {
    tracer = new FakeTracer();
    world = new FakeProcesses();
    lifetime = new SnooperLifetime();
    delivery = new EventDelivery(8, undefined);
    binaries = new BinaryRegistry(tracer);
  });

  function table(resolveProcessBinary: ProcessBinaryResolver = world.resolve): ProcessTable {
    return new ProcessTable({
      tracer,
      lifetime,
      binaries,
      resolveProcessBinary,
      processSource: world,
      delivery,
      clock: new MonotonicClock(0, 0n),
      responses: undefined,
      flush: () => undefined,
    });
  }

  const notices = (): Promise<LifecycleEvent[]> => queuedSoFar((signal) => delivery.lifecycle(signal));
  const entryOf = (pid: number): Buffer | undefined =>
    tracer.maps.get('traced_procs')!.get(encodeU32(pid).toString('hex'));

  it('writes the traced_procs entry of an attached process: its start time, binary id and layout, and announces it', async () => {
    world.start(100, '5000');
    const processes = table();
    const info = await processes.attach(100, 'attach', {});
    const resolved = fakeProcessBinary(100, '5000', fakeBinary(1n));
    expect(entryOf(100)).toEqual(encodeTraced(encodeProbeConfig(resolved.layout, 100), 5000n, 1));
    expect(info).toEqual({
      pid: 100,
      nsPid: 100,
      exe: '/fake/1',
      goVersion: 'go1.24.0',
      mainModule: 'example.test/fake',
      layoutEntry: resolved.layoutEntry,
      layoutSource: 'table',
      probeAddress: 0x401001,
      probeFileOffset: 0x1001,
      warnings: [],
      via: 'attach',
    });
    expect(await notices()).toEqual([{ kind: 'attach', pid: 100, nsPid: 100, via: 'attach', process: info }]);
    expect([processes.list(), processes.binaryOf(100)?.id]).toEqual([[info], 1]);
  });

  it('gives a fixed binary its read-only data range as linked, a PIE the range where the process maps it', async () => {
    const node = statSync('/proc/self/exe', { bigint: true });
    const self = { ...fakeBinary(1n), dev: kernelDev(node.dev), ino: node.ino };
    world.start(process.pid, '5000', self);
    world.start(200, '6000', fakeBinary(2n));
    world.start(300, '7000', fakeBinary(3n));
    const withData: ProcessBinaryResolver = async (pid, options) => {
      const resolved = await world.resolve(pid, options);
      if (pid === 200) return { ...resolved, readOnlyData };
      return { ...resolved, pie: true, readOnlyData: { ...readOnlyData, fileOffset: 0 } };
    };
    binaries = new BinaryRegistry(
      tracer,
      process.pid,
      false,
      { ...defaultRegistryLimits, lingerMs: 0 },
      { add: () => true, release: () => undefined },
    );
    const processes = table(withData);
    await processes.attach(process.pid, 'attach', {});
    await processes.attach(200, 'attach', {});
    await processes.attach(300, 'attach', {}); // a PIE whose mapping is not found: strings go as bytes
    const mapped = await mappedAddressOf(process.pid, self, 0);
    expect(mapped).toBeGreaterThan(0);
    expect([roLo(entryOf(process.pid)!), roLo(entryOf(200)!), roLo(entryOf(300)!)]).toEqual([mapped, 0x6a0000, 0]);
  });

  it('rejects with NO_SUCH_PROCESS, announcing nothing, when the process exits while it is being attached', async () => {
    world.start(100, '5000');
    const processes = table();
    const identify = world.identify.bind(world);
    world.identify = async (pid) => {
      tracer.exit(pid);
      for (const record of recordsOf(tracer.flush()!)) processes.onExit(decodeLifecycle(record));
      return identify(pid);
    };
    expect(await codeOf(processes.attach(100, 'attach', {}))).toBe('NO_SUCH_PROCESS');
    expect([await notices(), processes.list(), tracer.linkCount()]).toEqual([[], [], 0]);
  });

  it("refuses a process that exec'd another binary between resolution and attach, and then attaches it as it is now", async () => {
    world.start(100, '5000', fakeBinary(1n));
    const processes = table();
    const identify = world.identify.bind(world);
    world.identify = async (pid) => {
      world.start(100, '5000', fakeBinary(2n)); // a wrapper's `exec ./server`: same PID and start time, another file
      world.identify = identify;
      return identify(pid);
    };
    expect(await codeOf(processes.attach(100, 'attach', {}))).toBe('NO_SUCH_PROCESS');
    // Nothing of the first file's resolution is left: no entry, no probe, no notice.
    expect([await notices(), processes.list(), entryOf(100), tracer.linkCount()]).toEqual([[], [], undefined, 0]);
    const now = await processes.attach(100, 'attach', {});
    expect(processes.binaryOf(100)?.identity).toEqual(fakeBinary(2n));
    expect([...tracer.links.values()].map((l) => l.path)).toEqual([`/proc/4000/fd/102`]);
    expect(now.pid).toBe(100);
  });

  it('on an exit record drops the process and its probe, and announces the exit with its status', async () => {
    world.start(100, '5000');
    const processes = table();
    await processes.attach(100, 'attach', {});
    await notices();
    processes.onExit(
      decodeLifecycle(lifecycleRecord({ kind: 'exit', pid: 100, startTicks: 5000n, waitStatus: 2 << 8 })),
    );
    expect(await notices()).toEqual([
      {
        kind: 'exit',
        pid: 100,
        nsPid: 100,
        code: 2,
        signal: null,
        replaced: false,
        monotonicNs: 0n,
        time: new Date(0),
      },
    ]);
    expect([processes.list(), tracer.linkCount()]).toEqual([[], 0]);
  });

  it('ignores the exit record of an older process that had the same PID', async () => {
    world.start(100, '5000');
    const processes = table();
    await processes.attach(100, 'attach', {});
    processes.onExit(decodeLifecycle(lifecycleRecord({ kind: 'exit', pid: 100, startTicks: 4999n })));
    expect(processes.list().map((p) => p.pid)).toEqual([100]);
  });

  it('records a process the kernel started tracing at exec, replacing an older one with its PID', async () => {
    world.start(100, '5000');
    const processes = table();
    await processes.attach(100, 'attach', {});
    const other = await binaries.acquire(
      fakeFile(fakeBinary(2n)),
      fakeProcessBinary(0, '0', fakeBinary(2n)),
      '/bin/two',
    );
    const exec = decodeLifecycle(
      lifecycleRecord({ kind: 'exec', pid: 100, nsPid: 1, startTicks: 6000n, binaryId: other.id, flags: ['traced'] }),
    );
    const info = processes.onTracedExec(exec, other, 'binary');
    expect([info.pid, info.nsPid, info.exe, info.via]).toEqual([100, 1, '/bin/two', 'binary']);
    expect(processes.list()).toEqual([info]);
    expect([...other.pids]).toEqual([100]);
    expect(tracer.linkCount()).toBe(1); // the first binary's probe went with its only process
  });

  it('detach() waits for an attach in flight, then removes its entry', async () => {
    world.start(100, '5000');
    const processes = table();
    let finish!: () => void;
    tracer.attachGate = new Promise<void>((resolve) => (finish = resolve));
    const attaching = processes.attach(100, 'attach', {});
    const detaching = processes.detach(100);
    finish();
    await attaching;
    expect(await detaching).toBe(true);
    expect([entryOf(100), processes.list(), await processes.detach(100)]).toEqual([undefined, [], false]);
  });

  it('detachAll() removes the entries of the PIDs it is given that are traced', async () => {
    for (const pid of [100, 101, 102]) world.start(pid, String(pid));
    const processes = table();
    for (const pid of [100, 101, 102]) await processes.attach(pid, 'attach', {});
    processes.detachAll(new Set([100, 102, 999]));
    expect([processes.list().map((p) => p.pid), tracer.countElems('traced_procs')]).toEqual([[101], 1]);
  });
});
