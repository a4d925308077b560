import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LifecycleRecord } from './abi/decode-lifecycle.js';
import { EventDelivery } from './event-delivery.js';
import type { HttpRequestEvent } from './http-event.js';
import { MonotonicClock } from './monotonic-clock.js';
import { RecordPump } from './record-pump.js';
import { ResponseJoin } from './response-join.js';
import { SnooperLifetime } from './snooper-lifetime.js';
import { FakeTracer } from './test-support/fake-tracer.js';
import { lifecycleRecord, requestRecord, responseRecord } from './test-support/ring-records.js';
import { queuedSoFar } from './test-support/snooper-results.js';

/** A binary's read-only data as a file: "Content-Type" at offset 4 of the data, which starts at byte 16. */
function imageFile(): { path: string; data: { vaddr: number; sizeBytes: number; fileOffset: number } } {
  const path = join(mkdtempSync(join(tmpdir(), 'hw-pump-')), 'binary');
  writeFileSync(path, Buffer.concat([Buffer.alloc(16), Buffer.from('....Content-Type....')]));
  return { path, data: { vaddr: 0x6a0000, sizeBytes: 20, fileOffset: 16 } };
}

/** A request of binary 1 whose header key is sent as an offset into that binary's image. */
const namingImage = (pid: number): Buffer =>
  requestRecord({ pid, binaryId: 1, headers: [{ key: 'Content-Type', value: 'text/plain', keyOffset: 4n }] });

describe('RecordPump', () => {
  let tracer: FakeTracer;
  let lifetime: SnooperLifetime;
  let lifecycle: LifecycleRecord[];

  beforeEach(() => {
    tracer = new FakeTracer();
    lifetime = new SnooperLifetime();
    lifecycle = [];
  });

  function pump(delivery: EventDelivery, responses?: ResponseJoin): RecordPump {
    return new RecordPump(tracer, lifetime, new MonotonicClock(0, 0n), delivery, responses, (record) =>
      lifecycle.push(record),
    );
  }

  const events = (delivery: EventDelivery): Promise<HttpRequestEvent[]> =>
    queuedSoFar((signal) => delivery.events(signal));

  it('queues requests and hands lifecycle records to their handler, in ring order', async () => {
    const delivery = new EventDelivery(8, undefined);
    const records = pump(delivery);
    tracer.push(requestRecord({ pid: 7, ktimeNs: 1_000n }));
    tracer.push(lifecycleRecord({ kind: 'exec', pid: 8, flags: ['traced'] }));
    tracer.push(requestRecord({ pid: 7, ktimeNs: 2_000n }));
    records.flush();
    expect((await events(delivery)).map((e) => [e.pid, e.monotonicNs])).toEqual([
      [7, 1_000n],
      [7, 2_000n],
    ]);
    expect(lifecycle.map((r) => [r.kind, r.pid, r.traced])).toEqual([['exec', 8, true]]);
    expect(records.decodeErrors).toBe(0);
  });

  it('counts a record that does not decode and goes on with the next', async () => {
    const delivery = new EventDelivery(8, undefined);
    const records = pump(delivery);
    const cut = requestRecord({ pid: 7, strings: { path: '/abc' } });
    tracer.push(cut.subarray(0, cut.length - 1));
    tracer.push(requestRecord({ pid: 9 }));
    records.flush();
    expect([(await events(delivery)).map((e) => e.pid), records.decodeErrors]).toEqual([[9], 1]);
  });

  it('drops requests undecoded behind a full queue, but never a lifecycle record', async () => {
    const delivery = new EventDelivery(1, undefined);
    const records = pump(delivery);
    for (const pid of [1, 2, 3]) tracer.push(requestRecord({ pid }));
    tracer.push(lifecycleRecord({ kind: 'exit', pid: 4 }));
    records.flush();
    expect(
      delivery.stats({
        counters: [],
        links: 0,
        processes: 0,
        decodeErrors: 0,
        responses: undefined,
        holdsExpired: 0,
        binaries: 0,
        binariesRefused: 0,
        untraceableEvicted: 0,
      }),
    ).toMatchObject({ events: 3, queueDrops: 2 });
    expect([(await events(delivery)).map((e) => e.pid), lifecycle.map((r) => r.pid)]).toEqual([[1], [4]]);
  });

  it('with a backlog, keeps requests behind a full queue undecoded and queues them in ring order as they are taken', async () => {
    const dropped: number[] = [];
    const delivery = new EventDelivery(2, undefined, 3 * requestRecord({ pid: 1 }).length, (pid) => dropped.push(pid));
    const records = pump(delivery);
    for (const pid of [1, 2, 3, 4, 5, 6]) tracer.push(requestRecord({ pid }));
    records.flush();
    expect(delivery.backlogged.records).toBe(3);
    expect(dropped).toEqual([6]);
    tracer.push(requestRecord({ pid: 7 }));
    const taken: number[] = [];
    for await (const e of delivery.events(undefined)) {
      taken.push(e.pid);
      if (taken.length === 2) records.flush(); // pid 7 lands behind the backlog, not ahead of it
      if (taken.length === 5) break;
    }
    expect(taken).toEqual([1, 2, 3, 4, 5]);
    expect((await events(delivery)).map((e) => e.pid)).toEqual([7]);
    expect(
      delivery.stats({
        counters: [],
        links: 0,
        processes: 0,
        decodeErrors: 0,
        responses: undefined,
        holdsExpired: 0,
        binaries: 0,
        binariesRefused: 0,
        untraceableEvicted: 0,
      }),
    ).toMatchObject({ events: 7, queueDrops: 1 });
  });

  it("keeps a released binary's file open while backlogged records may name it, and ends the queue after them", async () => {
    const delivery = new EventDelivery(1, undefined, 1 << 20);
    const records = pump(delivery);
    const image = imageFile();
    records.binaryImages.add(1, image.path, image.data);
    for (const pid of [7, 8, 9]) tracer.push(namingImage(pid));
    records.flush();
    records.binaryImages.release(1);
    records.close();
    delivery.end();
    const got: Array<[number, boolean]> = [];
    for await (const e of delivery.events(undefined)) got.push([e.pid, e.incomplete]);
    expect(got).toEqual([
      [7, false],
      [8, false],
      [9, false],
    ]);
  });

  it('in response mode, holds a request until its response record comes', async () => {
    const delivery = new EventDelivery(8, undefined);
    const join = new ResponseJoin(8, (event) => delivery.deliver(event));
    const records = pump(delivery, join);
    tracer.push(requestRecord({ pid: 7, requestPtr: 0xc0001n, ktimeNs: 1_000n }));
    records.flush();
    expect([await events(delivery), join.size]).toEqual([[], 1]);
    tracer.push(responseRecord({ pid: 7, requestPtr: 0xc0001n, startNs: 1_000n, endNs: 4_000n, status: 201 }));
    records.flush();
    expect((await events(delivery)).map((e) => [e.pid, e.status, e.durationNs])).toEqual([[7, 201, 3_000]]);
  });

  it('reads a header from the image of the binary a record names', async () => {
    const delivery = new EventDelivery(8, undefined);
    const records = pump(delivery);
    const image = imageFile();
    expect(records.binaryImages.add(1, image.path, image.data)).toBe(true);
    tracer.push(namingImage(7));
    records.flush();
    expect((await events(delivery)).map((e) => [e.headers, e.incomplete])).toEqual([
      [{ 'Content-Type': 'text/plain' }, false],
    ]);
  });

  it('released outside a batch, a binary first lets the ring be decoded, then its file closes', async () => {
    const delivery = new EventDelivery(8, undefined);
    const records = pump(delivery);
    const image = imageFile();
    records.binaryImages.add(1, image.path, image.data);
    tracer.push(namingImage(7));
    records.binaryImages.release(1);
    tracer.push(namingImage(8));
    records.flush();
    expect((await events(delivery)).map((e) => [e.pid, e.headers, e.incomplete])).toEqual([
      [7, { 'Content-Type': 'text/plain' }, false],
      [8, { '': 'text/plain' }, true],
    ]);
  });

  it('released inside a batch (by a record it holds), a binary keeps its file until the batch is decoded', async () => {
    const delivery = new EventDelivery(8, undefined);
    const records: RecordPump = new RecordPump(tracer, lifetime, new MonotonicClock(0, 0n), delivery, undefined, () =>
      records.binaryImages.release(1),
    );
    const image = imageFile();
    records.binaryImages.add(1, image.path, image.data);
    tracer.push(lifecycleRecord({ kind: 'exit', pid: 6 }));
    tracer.push(namingImage(7));
    records.flush();
    tracer.push(namingImage(8));
    records.flush();
    expect((await events(delivery)).map((e) => [e.pid, e.incomplete])).toEqual([
      [7, false],
      [8, true],
    ]);
  });

  it('flush() does nothing once the Snooper is closed: the tracer is gone', () => {
    const records = pump(new EventDelivery(8, undefined));
    tracer.push(requestRecord());
    lifetime.closed = true;
    tracer.close();
    expect(() => records.flush()).not.toThrow();
  });
});
