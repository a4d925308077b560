import { Fifo } from './fifo.js';

/**
 * A bounded queue between the native drain and consumers, with Go channel semantics: every
 * item goes to exactly one waiting `next()`. Items beyond `maxQueue` are dropped and counted,
 * never allowed to grow memory without bound. `end()` lets consumers drain what is left.
 */
export class EventQueue<T> {
  private readonly items = new Fifo<T>();
  private readonly waiters: Array<(result: IteratorResult<T>) => void> = [];
  private ended = false;
  dropped = 0;

  constructor(private readonly maxQueue: number) {}

  get size(): number {
    return this.items.size;
  }

  /** True when a pushed item would be dropped: nobody waits and `maxQueue` items are held. */
  get full(): boolean {
    return this.waiters.length === 0 && this.size >= this.maxQueue;
  }

  push(item: T): void {
    if (this.ended) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter({ value: item, done: false });
      return;
    }
    if (this.size >= this.maxQueue) {
      this.dropped++;
      return;
    }
    this.items.push(item);
  }

  /** No more items will arrive; waiting and later `next()` calls get what remains, then done. */
  end(): void {
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      return Promise.resolve({ value: this.items.shift() as T, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Withdraws a pending `next()` (an aborted iterator), resolving it as done. */
  cancel(resolve: (result: IteratorResult<T>) => void): void {
    const i = this.waiters.indexOf(resolve);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /** Like next(), but abortable: an abort resolves this call as done without consuming an item. */
  nextOrAbort(signal: AbortSignal | undefined): Promise<IteratorResult<T>> {
    if (!signal) return this.next();
    if (signal.aborted) return Promise.resolve({ value: undefined, done: true });
    if (this.size > 0 || this.ended) return this.next();
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.cancel(wrapped);
        resolve({ value: undefined, done: true });
      };
      const wrapped = (result: IteratorResult<T>): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      this.waiters.push(wrapped);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
