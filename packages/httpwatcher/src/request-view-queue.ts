import type { HttpRequestEvent } from './http-event.js';
import type { HttpRequestView } from './http-request-view.js';
import type { RecordBacklog } from './record-backlog.js';
import { emptySpan, type RecordSpan } from './record-span.js';

/** Reads backlogged request records as views for a RequestViewQueue. */
export interface RecordViewReader {
  /** The view pointed at the record `span` points at; undefined when it cannot be decoded (counted by the reader). */
  read(span: RecordSpan): HttpRequestView | undefined;
  /** The backlog is empty again: files its records named by offset may close. */
  drained(): void;
}

const done: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * With the Snooper's option `requestViews`: request records wait in the backlog until a consumer
 * takes them, a batch at a time, each read as a view when it is taken: no event object and no
 * promise per request. Records a consumer leaves (it stops early in a batch) stay for the next.
 */
export class RequestViewQueue {
  private readonly waiters: Array<() => void> = [];
  private ended = false;

  constructor(
    private readonly backlog: RecordBacklog,
    private readonly reader: RecordViewReader,
    /** A record that could not be decoded: it is not a request delivered. */
    private readonly onUnreadable: () => void,
  ) {}

  /** Records arrived (or a consumer should look again). */
  wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Nothing more will come: iterators end once the backlog is empty. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Batches of what waits; aborting `signal` ends this iterator (what waits stays). */
  batches(signal: AbortSignal | undefined): AsyncIterableIterator<Iterable<HttpRequestView>> {
    const iterator: AsyncIterableIterator<Iterable<HttpRequestView>> = {
      next: async () => {
        while (this.backlog.length === 0) {
          if (this.ended || signal?.aborted) return done;
          await this.change(signal);
        }
        if (signal?.aborted) return done;
        return { done: false, value: new ViewBatch(this.backlog, this.reader, this.onUnreadable) };
      },
      return: async () => done,
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Each request as its event (what `events()` yields under `requestViews`). */
  async *events(signal: AbortSignal | undefined): AsyncGenerator<HttpRequestEvent, undefined> {
    for await (const batch of this.batches(signal)) for (const view of batch) yield view.toEvent();
    return undefined;
  }

  private change(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      };
      this.waiters.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * The records waiting when the batch was taken, shifted one at a time as the consumer asks: a view
 * is valid until the next. The files of released binaries close once the backlog is empty and the
 * last view is done with.
 */
class ViewBatch implements IterableIterator<HttpRequestView> {
  private left: number;
  /** Where the record being read lies in the backlog. */
  private readonly span: RecordSpan = emptySpan();
  private readonly result = { done: false as const, value: undefined as unknown as HttpRequestView };

  constructor(
    private readonly backlog: RecordBacklog,
    private readonly reader: RecordViewReader,
    private readonly onUnreadable: () => void,
  ) {
    this.left = backlog.length;
  }

  next(): IteratorResult<HttpRequestView, undefined> {
    while (this.left > 0) {
      this.left--;
      if (!this.backlog.take(this.span)) break;
      const view = this.reader.read(this.span);
      if (view) {
        this.result.value = view;
        return this.result;
      }
      this.onUnreadable();
    }
    return this.finish();
  }

  return(): IteratorResult<HttpRequestView, undefined> {
    return this.finish();
  }

  [Symbol.iterator](): IterableIterator<HttpRequestView> {
    return this;
  }

  private finish(): IteratorReturnResult<undefined> {
    this.left = 0;
    if (this.backlog.length === 0) this.reader.drained();
    return done;
  }
}
