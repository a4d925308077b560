import { describe, expect, it } from 'vitest';
import { Snooper } from './snooper.js';
import { FakeProcesses, FakeTracer, fakeBinding } from './test-support/fake-tracer.js';
import { requestRecord } from './test-support/ring-records.js';
import { queuedEvents } from './test-support/snooper-results.js';

describe('Snooper queue bound (fake native binding)', () => {
  it('keeps the first maxQueue requests, counts the rest as queue drops, and never decodes a request it drops', async () => {
    const tracer = new FakeTracer();
    const world = new FakeProcesses();
    world.start(100, '5000');
    const snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      processes: world,
      resolveProcessBinary: world.resolve,
      maxQueue: 3,
    });
    try {
      for (let i = 1; i <= 5; i++) tracer.push(requestRecord({ pid: 100, ktimeNs: BigInt(i) * 1_000_000n }));
      // A malformed record behind a full queue: dropped like any other, not decoded.
      tracer.push(requestRecord({ pid: 100, ktimeNs: 6_000_000n }).subarray(0, 8));
      snoop.flush();
      expect(snoop.stats()).toMatchObject({ events: 6, queueDrops: 3, decodeErrors: 0 });

      const kept = await queuedEvents(snoop);
      expect(kept.map((e) => e.pid)).toEqual([100, 100, 100]);
      expect(kept.map((e) => e.monotonicNs)).toEqual([1_000_000n, 2_000_000n, 3_000_000n]);

      // With room again, a malformed record is decoded, and counted as such.
      tracer.push(requestRecord({ pid: 100, ktimeNs: 7_000_000n }).subarray(0, 8));
      snoop.flush();
      expect(snoop.stats()).toMatchObject({ queueDrops: 3, decodeErrors: 1 });
    } finally {
      await snoop.close();
    }
  });

  it("with queueBacklogBytes, keeps requests past maxQueue undecoded and delivers every one; past it, names the dropped ones' pid", async () => {
    const tracer = new FakeTracer();
    const world = new FakeProcesses();
    world.start(100, '5000');
    world.start(200, '5000');
    const dropped: number[] = [];
    const recordBytes = requestRecord({ pid: 100 }).length;
    const snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      processes: world,
      resolveProcessBinary: world.resolve,
      maxQueue: 2,
      queueBacklogBytes: 3 * recordBytes,
      onQueueDrop: (pid) => dropped.push(pid),
    });
    try {
      for (let i = 1; i <= 5; i++) tracer.push(requestRecord({ pid: 100, ktimeNs: BigInt(i) * 1_000_000n }));
      tracer.push(requestRecord({ pid: 200, ktimeNs: 6_000_000n }));
      snoop.flush();
      expect(snoop.stats()).toMatchObject({ events: 6, queueDrops: 1 });
      expect(dropped).toEqual([200]);
      const kept = await queuedEvents(snoop);
      expect(kept.map((e) => e.monotonicNs)).toEqual([1n, 2n, 3n, 4n, 5n].map((n) => n * 1_000_000n));
    } finally {
      await snoop.close();
    }
  });

  it('rejects a queueBacklogBytes that is not a whole number of bytes', async () => {
    for (const queueBacklogBytes of [-1, 1.5, Number.NaN]) {
      await expect(Snooper.init({ binding: fakeBinding(new FakeTracer()), queueBacklogBytes })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
  });
});
