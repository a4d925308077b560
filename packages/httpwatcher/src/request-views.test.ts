import { describe, expect, it } from 'vitest';
import type { HttpRequestEvent } from './http-event.js';
import type { HttpRequestView } from './http-request-view.js';
import { Snooper } from './snooper.js';
import type { SnooperOptions } from './snooper-types.js';
import { FakeProcesses, FakeTracer, fakeBinding } from './test-support/fake-tracer.js';
import { requestRecord } from './test-support/ring-records.js';
import { codeOf, queuedEvents } from './test-support/snooper-results.js';
import { seededRandom, variedRecord, variedShape } from './test-support/varied-records.js';

/**
 * 3 000 records of 80 request shapes, in runs of 1 to 5 calls of the same request (as a client's
 * loop sends them: a repeat differs only in its call's fields), and 20 records cut short.
 */
function variedRecords(seed: number): { records: Buffer[]; runs: number } {
  const random = seededRandom(seed);
  const shapes = Array.from({ length: 80 }, () => variedShape(random));
  const records: Buffer[] = [];
  let runs = 0;
  while (records.length < 3000) {
    const shape = shapes[Math.floor(random() * shapes.length)]!;
    const hostile = Math.floor(random() * 4);
    runs++;
    for (let n = 1 + Math.floor(random() * 5); n > 0 && records.length < 3000; n--) {
      const record = variedRecord(random, shape, hostile);
      records.push(records.length % 150 === 7 ? record.subarray(0, Math.floor(random() * record.length)) : record);
    }
  }
  return { records, runs };
}

/**
 * An event without its wall-clock time: two Snoopers take their clock's offset at different moments,
 * so the same record's time may differ by a millisecond between them (monotonicNs does not).
 */
const untimed = ({ time: _, ...rest }: HttpRequestEvent): Omit<HttpRequestEvent, 'time'> => rest;

/** A tracer whose batches lie at an odd offset of their memory (the backlog then copies records byte by byte). */
class OddOffsetTracer extends FakeTracer {
  override flush(): Buffer | null {
    const batch = super.flush();
    if (!batch) return batch;
    const memory = Buffer.alloc(batch.length + 1);
    batch.copy(memory, 1);
    return memory.subarray(1);
  }
}

/**
 * A Snooper given `records` through its ring, in batches of `batchRecords` (one batch for all
 * unless told): a batch of request records only is kept whole in the backlog, one with records
 * cut short goes record by record.
 */
async function snooperWith(
  records: readonly Buffer[],
  options: SnooperOptions,
  tracer: FakeTracer = new FakeTracer(),
  batchRecords = records.length,
): Promise<Snooper> {
  const world = new FakeProcesses();
  const snoop = await Snooper.init({
    binding: fakeBinding(tracer),
    processes: world,
    resolveProcessBinary: world.resolve,
    maxQueue: 1 << 20,
    queueBacklogBytes: 64 << 20,
    ...options,
  });
  records.forEach((record, i) => {
    tracer.push(record);
    if ((i + 1) % batchRecords === 0) snoop.flush();
  });
  snoop.flush();
  return snoop;
}

/** What a view shows, copied while it is valid, with the event it stands for. */
interface SeenView {
  call: Pick<HttpRequestView, 'pid' | 'nsPid' | 'tid' | 'goid' | 'timeMs'>;
  shape: HttpRequestView['shape'];
  headerOrder: string[];
  event: HttpRequestEvent;
}

async function viewsSoFar(snoop: Snooper): Promise<SeenView[]> {
  const seen: SeenView[] = [];
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 0);
  for await (const batch of snoop.requestViews({ signal: abort.signal }))
    for (const v of batch) {
      const { pid, nsPid, tid, goid, timeMs, shape } = v;
      seen.push({
        call: { pid, nsPid, tid, goid, timeMs },
        shape,
        headerOrder: Object.keys(shape.headers),
        event: v.toEvent(),
      });
    }
  return seen;
}

describe('requestViews: the same requests as events(), read from their records', () => {
  for (const [redactSecrets, oddBatches, batchRecords] of [
    [false, false, undefined],
    [true, false, undefined],
    [false, true, undefined],
    [false, false, 50],
    [true, true, 50],
  ] as const) {
    it(`3 000 varied records, hostile bytes and 16 headers included${redactSecrets ? ', secrets masked' : ''}${oddBatches ? ', batches at an odd offset' : ''}${batchRecords ? `, in batches of ${batchRecords}` : ''}: every view is its event`, async () => {
      const { records, runs } = variedRecords(redactSecrets ? 17 : 42);
      const asEvents = await snooperWith(records, { redactSecrets });
      const asViews = await snooperWith(
        records,
        { redactSecrets, requestViews: true },
        oddBatches ? new OddOffsetTracer() : new FakeTracer(),
        batchRecords,
      );
      try {
        const events = await queuedEvents(asEvents);
        const views = await viewsSoFar(asViews);
        expect(events.length).toBe(2980);
        expect(asViews.stats()).toMatchObject({ events: 2980, decodeErrors: 20, queueDrops: 0 });
        expect(asEvents.stats()).toMatchObject({ events: 2980, decodeErrors: 20, queueDrops: 0 });
        expect(views.map((v) => untimed(v.event))).toEqual(events.map(untimed));
        views.forEach((v, i) => {
          const ev = events[i]!;
          expect(v.call).toEqual({
            pid: ev.pid,
            nsPid: ev.nsPid,
            tid: ev.tid,
            goid: ev.goid,
            timeMs: v.event.time.getTime(),
          });
          const { method, url, host, headers, headerCount, userinfo, truncated, incomplete } = ev;
          expect(v.shape).toEqual({ method, url, host, headers, headerCount, userinfo, truncated, incomplete });
          expect(v.headerOrder).toEqual(Object.keys(ev.headers));
        });
        // The calls of a run share their request's shape (unless it was incomplete: those are not kept).
        const complete = views.filter((v) => !v.shape.incomplete);
        expect(new Set(complete.map((v) => v.shape)).size).toBeLessThanOrEqual(runs);
        expect(new Set(complete.map((v) => v.shape)).size).toBeLessThan(complete.length / 2);
      } finally {
        await asEvents.close();
        await asViews.close();
      }
    });
  }

  it('events() under requestViews yields the same events', async () => {
    const { records } = variedRecords(7);
    const plain = await snooperWith(records, {});
    const viewed = await snooperWith(records, { requestViews: true });
    try {
      const viewedEvents = await queuedEvents(viewed);
      expect(viewedEvents.length).toBe(2980);
      expect(viewedEvents.map(untimed)).toEqual((await queuedEvents(plain)).map(untimed));
    } finally {
      await plain.close();
      await viewed.close();
    }
  });

  it('keeps records only up to queueBacklogBytes (maxQueue does not apply), and names the pid of each dropped', async () => {
    const record = requestRecord({ pid: 7, strings: { method: 'GET', host: 'h.test', path: '/' } });
    const dropped: number[] = [];
    const snoop = await snooperWith(Array(10).fill(record), {
      requestViews: true,
      maxQueue: 1,
      queueBacklogBytes: 4 * record.length,
      onQueueDrop: (pid) => dropped.push(pid),
    });
    try {
      expect((await viewsSoFar(snoop)).length).toBe(4);
      expect(snoop.stats()).toMatchObject({ events: 10, queueDrops: 6 });
      expect(dropped).toEqual([7, 7, 7, 7, 7, 7]);
    } finally {
      await snoop.close();
    }
  });

  it('refuses requestViews() without the option, and the option with response or transport', async () => {
    const snoop = await snooperWith([], {});
    try {
      expect(() => snoop.requestViews()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    } finally {
      await snoop.close();
    }
    expect(await codeOf(snooperWith([], { requestViews: true, response: true }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(snooperWith([], { requestViews: true, transport: true }))).toBe('INVALID_ARGUMENT');
  });
});
