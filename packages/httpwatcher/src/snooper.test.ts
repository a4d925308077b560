import { beforeEach, describe, expect, it } from 'vitest';
import { tracedLayout } from './abi/bpf-abi.js';
import { Snooper } from './snooper.js';
import { FakeProcesses, FakeTracer, fakeBinary, fakeBinding } from './test-support/fake-tracer.js';
import { codeOf, queuedNotices } from './test-support/snooper-results.js';

describe('Snooper with a fake native binding', () => {
  let tracer: FakeTracer;
  let world: FakeProcesses;
  let snoop: Snooper;

  beforeEach(async () => {
    tracer = new FakeTracer();
    world = new FakeProcesses();
    snoop = await Snooper.init({ binding: fakeBinding(tracer), resolveProcessBinary: world.resolve, processes: world });
  });

  it('attaching one process twice, even concurrently, writes one entry and one link', async () => {
    world.start(100, '5000');
    const [a, b] = await Promise.all([snoop.attach(100), snoop.attach(100)]);
    const c = await snoop.attach(100);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(world.resolutions).toBe(2); // the concurrent call shared the first attempt
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 1, watched: 0, probeConfigs: 1, links: 1, held: 0 });
  });

  it('shares one link between processes of one binary, with the binary id as the BPF cookie', async () => {
    world.start(100, '5000');
    world.start(101, '5001');
    world.start(102, '5002', fakeBinary(2n));
    await Promise.all([snoop.attach(100), snoop.attach(101), snoop.attach(102)]);
    expect(tracer.linkCount()).toBe(2);
    const cookies = [...tracer.links.values()].map((l) => l.cookie).sort();
    const binaryIds = [...tracer.maps.get('traced_procs')!.values()]
      .map((v) => v.readUInt32LE(tracedLayout.binaryId))
      .sort();
    expect(new Set(binaryIds)).toEqual(new Set(cookies));
    expect([...tracer.links.values()].every((l) => l.pid === -1)).toBe(true);
  });

  it('detach removes the entry and, with the last process of a binary, its link and layout', async () => {
    world.start(100, '5000');
    world.start(101, '5001');
    await snoop.attach(100);
    await snoop.attach(101);
    expect(await snoop.detach(100)).toBe(true);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 1, watched: 0, probeConfigs: 1, links: 1, held: 0 });
    expect(await snoop.detach(101)).toBe(true);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
    expect(await snoop.detach(101)).toBe(false);
  });

  it('an exit record drops the process, releases its link and yields an exit notice', async () => {
    world.start(100, '5000');
    await snoop.attach(100);
    tracer.exit(100, 3 << 8);
    snoop.flush();
    const notices = await queuedNotices(snoop);
    expect(notices.map((n) => n.kind)).toEqual(['attach', 'exit']);
    expect(notices[1]).toMatchObject({ kind: 'exit', pid: 100, code: 3, signal: null, replaced: false });
    expect(snoop.processes()).toEqual([]);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
  });

  it('a reused PID gets a fresh entry with the new start time, never the old one', async () => {
    world.start(100, '5000');
    await snoop.attach(100);
    expect(tracer.startTicksOf(100)).toBe(5000n);
    world.start(100, '7777', fakeBinary(9n)); // the old process died unseen; the PID now runs another binary
    const again = await snoop.attach(100);
    expect(again.exe).toBe('/fake/9');
    expect(tracer.startTicksOf(100)).toBe(7777n);
    expect(tracer.linkCount()).toBe(1); // the old binary's link went with its last process
    expect(snoop.processes()).toHaveLength(1);
  });

  it('an exit record for an older process with the same PID changes nothing', async () => {
    world.start(100, '7777');
    await snoop.attach(100);
    tracer.updateElem('traced_procs', Buffer.from([100, 0, 0, 0]), Buffer.alloc(tracedLayout.size)); // start 0
    tracer.exit(100); // reports start 0, not 7777
    snoop.flush();
    expect(snoop.processes().map((p) => p.pid)).toEqual([100]);
  });

  it('a process that changed between resolution and write is rolled back with NO_SUCH_PROCESS', async () => {
    world.start(100, '5000');
    const identify = world.identify.bind(world);
    world.identify = async (pid) => ({ ...(await identify(pid))!, startTime: '6000' });
    expect(await codeOf(snoop.attach(100))).toBe('NO_SUCH_PROCESS');
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
  });

  it('a failed uprobe attach leaves no entry, layout or link, and the Snooper stays usable', async () => {
    world.start(100, '5000');
    tracer.failNextAttach = Object.assign(new Error('attaching a uprobe failed: Invalid argument (EINVAL)'), {
      code: 'EINVAL',
    });
    expect(await codeOf(snoop.attach(100))).toBe('ATTACH_FAILED');
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
    expect((await snoop.attach(100)).pid).toBe(100);
  });

  it('processes of one binary attached concurrently share one uprobe attempt, and its failure', async () => {
    world.start(100, '5000');
    world.start(101, '5001');
    tracer.failNextAttach = Object.assign(new Error('attaching a uprobe failed: Invalid argument (EINVAL)'), {
      code: 'EINVAL',
    });
    const codes = await Promise.all([codeOf(snoop.attach(100)), codeOf(snoop.attach(101))]);
    expect(codes).toEqual(['ATTACH_FAILED', 'ATTACH_FAILED']);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
    await Promise.all([snoop.attach(100), snoop.attach(101)]);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 2, watched: 0, probeConfigs: 1, links: 1, held: 0 });
  });

  it('close() while a uprobe is being attached rejects the attach with CLOSED', async () => {
    world.start(100, '5000');
    let finishAttach!: () => void;
    tracer.attachGate = new Promise<void>((resolve) => (finishAttach = resolve));
    const attaching = snoop.attach(100);
    await new Promise((r) => setImmediate(r)); // resolved; the uprobe attach is in flight
    expect(tracer.maps.get('probe_configs')?.size).toBe(1);
    await snoop.close();
    finishAttach();
    expect(await codeOf(attaching)).toBe('CLOSED');
    expect(tracer.links.size).toBe(0);
  });

  it('a full traced_procs map rejects with TOO_MANY_PROCESSES and keeps the others', async () => {
    tracer = new FakeTracer({ maxProcesses: 2 });
    snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: world.resolve,
      processes: world,
      maxProcesses: 2,
    });
    for (const pid of [1, 2, 3]) world.start(pid, String(pid));
    await snoop.attach(1);
    await snoop.attach(2);
    expect(await codeOf(snoop.attach(3))).toBe('TOO_MANY_PROCESSES');
    expect(snoop.processes().map((p) => p.pid)).toEqual([1, 2]);
    expect(tracer.linkCount()).toBe(1);
  });

  it('rejects a missing process with NO_SUCH_PROCESS and bad PIDs with INVALID_ARGUMENT', async () => {
    expect(await codeOf(snoop.attach(4242))).toBe('NO_SUCH_PROCESS');
    expect(await codeOf(snoop.attach(0))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(snoop.attach(1.5))).toBe('INVALID_ARGUMENT');
  });

  it('close() during an attach in flight rejects it with CLOSED and touches no closed tracer', async () => {
    world.start(100, '5000');
    world.resolveDelayMs = 20;
    const attaching = snoop.attach(100);
    await snoop.close();
    expect(await codeOf(attaching)).toBe('CLOSED');
    expect(tracer.closed).toBe(true);
    expect(await codeOf(snoop.attach(100))).toBe('CLOSED');
    await snoop.close(); // idempotent
  });

  it('attachAll() attaches every live process it can and turns on exec reports', async () => {
    world.start(100, '5000');
    world.start(101, '5001');
    const { processes } = await snoop.attachAll();
    expect(processes.map((p) => p.pid).sort()).toEqual([100, 101]);
    expect(processes.every((p) => p.via === 'all')).toBe(true);
    expect(tracer.countElems('watched')).toBe(1); // the binary, for its later processes
    expect(tracer.maps.get('exec_policy')!.get('00000000')!.readUInt32LE(0)).toBe(1);
  });

  it('close() resumes every held process before the tracer closes, then stops the guardian and waits for it', async () => {
    const binding = fakeBinding(tracer);
    snoop = await Snooper.init({ binding, resolveProcessBinary: world.resolve, processes: world });
    await snoop.attachAll({ hold: true, holdTimeoutMs: 250 });
    expect(binding.guardians.map((g) => g.timeoutMs)).toEqual([250]);
    tracer.hold(4242); // stopped by the exec tracepoint; its record never read
    expect(snoop.kernelEntries().held).toBe(1);
    await snoop.close();
    expect(tracer.resumed).toEqual([4242]);
    expect(binding.guardians[0]!.stopped).toBe(true);
  });
});
