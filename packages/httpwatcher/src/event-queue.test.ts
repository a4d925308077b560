import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.js';

const done = { value: undefined, done: true };

describe('EventQueue', () => {
  it('hands out queued items in the order they were pushed', async () => {
    const queue = new EventQueue<number>(8);
    for (const n of [1, 2, 3]) queue.push(n);
    expect(queue.size).toBe(3);
    expect([await queue.next(), await queue.next(), await queue.next()]).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
      { value: 3, done: false },
    ]);
    expect(queue.size).toBe(0);
  });

  it('gives each pushed item to exactly one waiting next(), first waiter first', async () => {
    const queue = new EventQueue<string>(8);
    const first = queue.next();
    const second = queue.next();
    queue.push('a');
    queue.push('b');
    queue.push('c');
    expect([await first, await second]).toEqual([
      { value: 'a', done: false },
      { value: 'b', done: false },
    ]);
    expect(queue.size).toBe(1);
  });

  it('drops and counts items beyond maxQueue, and is full only while nobody waits', async () => {
    const queue = new EventQueue<number>(2);
    expect(queue.full).toBe(false);
    for (const n of [1, 2, 3, 4]) queue.push(n);
    expect([queue.size, queue.dropped, queue.full]).toEqual([2, 2, true]);
    expect(await queue.next()).toEqual({ value: 1, done: false });
    expect(queue.full).toBe(false);
    queue.push(5);
    expect([queue.size, queue.dropped]).toEqual([2, 2]);
  });

  it('is not full while a consumer waits, even with maxQueue items held', () => {
    const queue = new EventQueue<number>(0);
    expect(queue.full).toBe(true);
    void queue.next();
    expect(queue.full).toBe(false);
    queue.push(7);
    expect([queue.size, queue.dropped]).toEqual([0, 0]);
  });

  it('after end(), ends waiting next() calls, drains what is left, then says done; later pushes are ignored', async () => {
    const waiting = new EventQueue<number>(4);
    const pending = waiting.next();
    waiting.end();
    expect(await pending).toEqual(done);

    const queue = new EventQueue<number>(4);
    queue.push(1);
    queue.end();
    queue.push(2);
    expect([await queue.next(), await queue.next(), await queue.next()]).toEqual([
      { value: 1, done: false },
      done,
      done,
    ]);
    expect(queue.dropped).toBe(0);
  });

  it('keeps the order across many items, however far the head has moved', async () => {
    const queue = new EventQueue<number>(10_000);
    for (let n = 0; n < 3000; n++) queue.push(n);
    const taken: number[] = [];
    for (let n = 0; n < 2000; n++) taken.push((await queue.next()).value as number);
    for (let n = 3000; n < 3500; n++) queue.push(n);
    while (queue.size > 0) taken.push((await queue.next()).value as number);
    expect(taken).toEqual(Array.from({ length: 3500 }, (_, n) => n));
  });
});

describe('EventQueue.nextOrAbort', () => {
  it('is next() without a signal, and takes a queued item even with one', async () => {
    const queue = new EventQueue<number>(4);
    queue.push(1);
    queue.push(2);
    expect(await queue.nextOrAbort(undefined)).toEqual({ value: 1, done: false });
    expect(await queue.nextOrAbort(new AbortController().signal)).toEqual({ value: 2, done: false });
  });

  it('ends at once for a signal already aborted, leaving the items queued', async () => {
    const queue = new EventQueue<number>(4);
    queue.push(1);
    expect(await queue.nextOrAbort(AbortSignal.abort())).toEqual(done);
    expect(queue.size).toBe(1);
  });

  it('an abort ends the waiting call without consuming an item; the next item goes to the next consumer', async () => {
    const queue = new EventQueue<number>(4);
    const abort = new AbortController();
    const aborted = queue.nextOrAbort(abort.signal);
    const other = queue.next();
    abort.abort();
    expect(await aborted).toEqual(done);
    queue.push(9);
    expect(await other).toEqual({ value: 9, done: false });
    queue.push(10);
    expect(queue.size).toBe(1);
  });

  it('resolves with the pushed item when it comes before the abort, which then changes nothing', async () => {
    const queue = new EventQueue<number>(4);
    const abort = new AbortController();
    const waiting = queue.nextOrAbort(abort.signal);
    queue.push(3);
    abort.abort();
    expect(await waiting).toEqual({ value: 3, done: false });
    queue.push(4);
    expect(await queue.next()).toEqual({ value: 4, done: false });
  });

  it('says done after end() once the queue is drained, with or without a signal', async () => {
    const queue = new EventQueue<number>(4);
    queue.push(1);
    queue.end();
    const signal = new AbortController().signal;
    expect([await queue.nextOrAbort(signal), await queue.nextOrAbort(signal)]).toEqual([
      { value: 1, done: false },
      done,
    ]);
  });
});
