import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Snooper } from './snooper.js';
import { FakeProcesses, FakeTracer, fakeBinding } from './test-support/fake-tracer.js';
import { queuedNotices } from './test-support/snooper-results.js';

/** A world whose /proc can tell a gone PID (null) from one it could not read (undefined). */
class SweptProcesses extends FakeProcesses {
  unreadable = new Set<number>();
  async startTimeOf(pid: number): Promise<string | null | undefined> {
    if (this.unreadable.has(pid)) return undefined;
    return this.live.get(pid)?.startTime ?? null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the exit sweep: traced processes gone without an exit record are let go', () => {
  let tracer: FakeTracer;
  let world: SweptProcesses;
  let snoop: Snooper;
  beforeEach(async () => {
    tracer = new FakeTracer();
    world = new SweptProcesses();
    snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: world.resolve,
      processes: world,
      exitSweepMs: 20,
    });
  });
  afterEach(() => snoop.close());

  it('lets a process go whose exit record never came: its entries, and an exit notice with the status unknown', async () => {
    world.start(100, '5000');
    world.start(101, '5001');
    await snoop.attach(100);
    await snoop.attach(101);
    world.live.delete(100); // exited; the ring refused its record, the kernel entry stayed
    await sleep(100);
    expect(snoop.processes().map((p) => p.pid)).toEqual([101]);
    expect(snoop.kernelEntries()).toMatchObject({ tracedProcs: 1, links: 1 });
    const notices = await queuedNotices(snoop);
    expect(notices.filter((n) => n.kind === 'exit')).toEqual([
      expect.objectContaining({ kind: 'exit', pid: 100, code: null, signal: null, replaced: false }),
    ]);
    expect(snoop.stats().exitsSwept).toBe(1);
  });

  it('lets a process go whose PID now names a newer process', async () => {
    world.start(100, '5000');
    await snoop.attach(100);
    world.start(100, '9000');
    await sleep(100);
    expect(snoop.processes()).toEqual([]);
    expect(snoop.kernelEntries()).toMatchObject({ tracedProcs: 0, links: 0, probeConfigs: 0 });
    expect(snoop.stats().exitsSwept).toBe(1);
  });

  it('keeps a process whose start time cannot be read, and one whose exit record is in the ring (counted as a record)', async () => {
    world.start(100, '5000');
    world.start(101, '5001');
    await snoop.attach(100);
    await snoop.attach(101);
    world.unreadable.add(100);
    world.live.delete(101);
    tracer.exit(101, 7 << 8); // the record waits in the ring: the sweep drains it first
    await sleep(100);
    expect(snoop.processes().map((p) => p.pid)).toEqual([100]);
    const exits = (await queuedNotices(snoop)).filter((n) => n.kind === 'exit');
    expect(exits).toEqual([expect.objectContaining({ pid: 101, code: 7 })]);
    expect(snoop.stats().exitsSwept).toBe(0);
  });

  it('refuses an exitSweepMs out of range', async () => {
    for (const exitSweepMs of [0, 9, 1.5, Number.NaN, 86_400_001])
      await expect(Snooper.init({ binding: fakeBinding(new FakeTracer()), exitSweepMs })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
  });
});
