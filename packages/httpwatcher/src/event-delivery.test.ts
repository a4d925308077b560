import { SecretRedactor } from './redact.js';
import { describe, expect, it } from 'vitest';
import { EventDelivery, eventBytes } from './event-delivery.js';
import type { HttpRequestEvent } from './http-event.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import { ResponseJoin } from './response-join.js';
import { TransportJoin } from './transport-join.js';
import { SnooperError } from './snooper-error.js';
import { requestEvent } from './test-support/request-event.js';
import { queuedSoFar } from './test-support/snooper-results.js';

const noSources = {
  counters: [],
  links: 0,
  processes: 0,
  decodeErrors: 0,
  responses: undefined,
  holdsExpired: 0,
  binaries: 0,
  binariesRefused: 0,
  untraceableEvicted: 0,
};

describe('EventDelivery', () => {
  it('queues requests unchanged and counts them', async () => {
    const delivery = new EventDelivery(8, undefined);
    const event = requestEvent(7, 1n, 'https://h/cb?access_token=abc', { Authorization: 'Bearer abc' });
    delivery.deliver(event);
    const [got] = await queuedSoFar((signal) => delivery.events(signal));
    expect(got).toBe(event);
    expect(delivery.stats(noSources)).toMatchObject({ events: 1, queueDrops: 0 });
  });

  it('names the PID of every request dropped, decoded (delivered) or not (deferred past the backlog)', async () => {
    const dropped: number[] = [];
    const delivery = new EventDelivery(1, undefined, 0, (pid) => dropped.push(pid));
    delivery.deliver(requestEvent(7, 1n, 'http://h/a', {}));
    delivery.deliver(requestEvent(8, 2n, 'http://h/b', {}));
    delivery.deliver(requestEvent(9, 3n, 'http://h/c', {}));
    delivery.defer(Buffer.alloc(8), 10);
    expect(dropped).toEqual([8, 9, 10]);
    expect(delivery.stats(noSources)).toMatchObject({ events: 4, queueDrops: 3 });
    const events = await queuedSoFar((signal) => delivery.events(signal));
    expect(events.map((e) => e.pid)).toEqual([7]);
  });

  it('keeps decoded requests behind a full queue within the backlog budget, in order, none dropped', async () => {
    const dropped: number[] = [];
    const delivery = new EventDelivery(2, new SecretRedactor(), 1 << 20, (pid) => dropped.push(pid));
    const sent = Array.from({ length: 50 }, (_, i) =>
      requestEvent(100 + i, BigInt(i), `http://h/${i}?access_token=t${i}`, { Authorization: `Bearer t${i}` }),
    );
    for (const event of sent) delivery.deliver(event);
    expect(delivery.waitingDecoded.events).toBe(48);
    expect(delivery.behind).toBe(true);
    delivery.end();
    const got: HttpRequestEvent[] = [];
    for await (const event of delivery.events(undefined)) got.push(event);
    expect(got.map((e) => [e.pid, e.url, e.headers.Authorization])).toEqual(
      sent.map((e, i) => [e.pid, `http://h/${i}?access_token=****`, 'Bearer ****']),
    );
    expect(dropped).toEqual([]);
    expect(delivery.stats(noSources)).toMatchObject({ events: 50, queueDrops: 0 });
    expect(delivery.waitingDecoded).toEqual({ events: 0, sizeBytes: 0 });
  });

  it('drops decoded requests past the budget, naming each one’s process, and keeps the rest', async () => {
    const dropped: number[] = [];
    const one = requestEvent(1, 1n, 'http://h/x', { Accept: 'a' });
    const delivery = new EventDelivery(1, undefined, 3 * eventBytes(one), (pid) => dropped.push(pid));
    for (let pid = 1; pid <= 6; pid++) delivery.deliver(requestEvent(pid, BigInt(pid), 'http://h/x', { Accept: 'a' }));
    expect(dropped).toEqual([5, 6]);
    delivery.end();
    const got: number[] = [];
    for await (const event of delivery.events(undefined)) got.push(event.pid);
    expect(got).toEqual([1, 2, 3, 4]);
    expect(delivery.stats(noSources)).toMatchObject({ events: 6, queueDrops: 2 });
  });

  it('masks credentials before a request is queued when asked to', async () => {
    const delivery = new EventDelivery(8, new SecretRedactor());
    const event = requestEvent(7, 1n, 'https://h/cb?access_token=abc&state=x', {
      Authorization: 'Bearer abc',
      Accept: 'text/plain',
    });
    delivery.deliver(event);
    const plain = requestEvent(7, 2n, 'http://h/items?limit=10', { Accept: 'text/plain' });
    delivery.deliver(plain);
    const events = await queuedSoFar((signal) => delivery.events(signal));
    expect(events.map((e) => [e.url, e.headers])).toEqual([
      ['https://h/cb?access_token=****&state=x', { Authorization: 'Bearer ****', Accept: 'text/plain' }],
      ['http://h/items?limit=10', { Accept: 'text/plain' }],
    ]);
    expect(events[1]).toBe(plain); // nothing to mask: the same object
    expect(event.headers.Authorization).toBe('Bearer abc'); // the decoded event itself is left alone
  });

  it('is full once consumers are maxQueue requests behind; a request dropped undecoded counts as an event and a drop', () => {
    const delivery = new EventDelivery(1, undefined);
    expect(delivery.full).toBe(false);
    delivery.deliver(requestEvent(7, 1n, 'http://h/1'));
    expect(delivery.full).toBe(true);
    delivery.dropUndecoded(7);
    delivery.deliver(requestEvent(7, 2n, 'http://h/2'));
    expect(delivery.stats(noSources)).toMatchObject({ events: 3, queueDrops: 2 });
  });

  it('queues lifecycle notices apart from requests, and ends both iterations at end()', async () => {
    const delivery = new EventDelivery(8, undefined);
    const notice: LifecycleEvent = { kind: 'error', pid: 9, error: new SnooperError('NOT_GO_BINARY', 'pid 9: not Go') };
    delivery.notify(notice);
    delivery.deliver(requestEvent(7, 1n, 'http://h/'));
    delivery.end();
    const events: HttpRequestEvent[] = [];
    for await (const e of delivery.events(undefined)) events.push(e);
    const notices: LifecycleEvent[] = [];
    for await (const n of delivery.lifecycle(undefined)) notices.push(n);
    expect([events.map((e) => e.url), notices]).toEqual([['http://h/'], [notice]]);
  });

  it('reports the BPF counters by their enum hw_counter index, with the other sources as given', () => {
    const delivery = new EventDelivery(8, undefined);
    const responses = new ResponseJoin(8, () => undefined);
    responses.evicted = 4;
    responses.orphans = 5;
    const transport = new TransportJoin(8, 1000, () => undefined);
    transport.released = 12;
    transport.orphans = 13;
    const sources = {
      counters: [100, 2, 3, 40, 9, 11],
      links: 6,
      processes: 7,
      decodeErrors: 8,
      responses,
      holdsExpired: 10,
      binaries: 12,
      binariesRefused: 13,
      untraceableEvicted: 14,
      transport,
      spillPeakBytes: 15,
      exitsSwept: 16,
    };
    expect(delivery.stats(sources)).toEqual({
      events: 0,
      kernelDrops: 2,
      scratchDrops: 11,
      queueDrops: 0,
      readErrors: 3,
      decodeErrors: 8,
      hits: 40,
      processes: 7,
      links: 6,
      responsesNotAwaited: 4,
      responsesUnmatched: 5,
      holdsSkipped: 9,
      holdsExpired: 10,
      binaries: 12,
      binariesRefused: 13,
      untraceableEvicted: 14,
      transportCallsReleased: 12,
      transportEndsUnmatched: 13,
      spillPeakBytes: 15,
      exitsSwept: 16,
    });
    expect(delivery.stats(noSources)).toMatchObject({
      kernelDrops: 0,
      scratchDrops: 0,
      readErrors: 0,
      hits: 0,
      responsesNotAwaited: 0,
      transportCallsReleased: 0,
      exitsSwept: 0,
    });
  });
});
