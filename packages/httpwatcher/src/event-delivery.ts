import { counterIndex } from './abi/bpf-abi.js';
import { EventQueue } from './event-queue.js';
import type { HttpRequestEvent } from './http-event.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import type { SecretRedactor } from './redact.js';
import type { ResponseJoin } from './response-join.js';
import type { SnooperStats } from './snooper-types.js';
import type { TransportJoin } from './transport-join.js';

/** Lifecycle notices kept for a slow consumer; older ones go first. */
const maxNotices = 4096;

/** What stats() reports besides the counts kept here. */
export interface StatsSources {
  /** The BPF counters (enum hw_counter), read now or kept from close(). */
  readonly counters: readonly number[];
  readonly links: number;
  readonly processes: number;
  readonly decodeErrors: number;
  readonly responses: ResponseJoin | undefined;
  readonly holdsExpired: number;
  readonly transport?: TransportJoin | undefined;
}

/**
 * The two queues consumers read, requests and lifecycle notices, and what was delivered into
 * them. Requests are masked here when the Snooper redacts secrets, so nothing unmasked is queued.
 */
export class EventDelivery {
  private readonly requests: EventQueue<HttpRequestEvent>;
  private readonly notices = new EventQueue<LifecycleEvent>(maxNotices);
  /** Requests delivered into the queue, or dropped there (counted by stats() as events). */
  private delivered = 0;

  constructor(
    maxQueue: number,
    private readonly redactor: SecretRedactor | undefined,
  ) {
    this.requests = new EventQueue(maxQueue);
  }

  /** True when a request would be dropped: consumers are `maxQueue` events behind. */
  get full(): boolean {
    return this.requests.full;
  }

  deliver(event: HttpRequestEvent): void {
    if (this.redactor) {
      const { headers, url, originalUrl } = this.redactor.request(event);
      if (headers !== event.headers || url !== event.url || originalUrl !== event.originalUrl)
        event = {
          ...event,
          headers: headers as Record<string, string>,
          url,
          ...(originalUrl !== undefined && { originalUrl }),
        };
    }
    this.requests.push(event);
    this.delivered++;
  }

  /** Counts a request dropped behind a full queue without decoding it: the consumer is behind already. */
  dropUndecoded(): void {
    this.requests.dropped++;
    this.delivered++;
  }

  notify(notice: LifecycleEvent): void {
    this.notices.push(notice);
  }

  events(signal: AbortSignal | undefined): AsyncIterableIterator<HttpRequestEvent> {
    return iterate(this.requests, signal);
  }

  lifecycle(signal: AbortSignal | undefined): AsyncIterableIterator<LifecycleEvent> {
    return iterate(this.notices, signal);
  }

  /** Nothing more will come: iterators end once they have drained what is queued. */
  end(): void {
    this.requests.end();
    this.notices.end();
  }

  stats(from: StatsSources): SnooperStats {
    return {
      events: this.delivered,
      kernelDrops: from.counters[counterIndex.ringDrops] ?? 0,
      scratchDrops: from.counters[counterIndex.scratchDrops] ?? 0,
      queueDrops: this.requests.dropped,
      readErrors: from.counters[counterIndex.readErrors] ?? 0,
      decodeErrors: from.decodeErrors,
      hits: from.counters[counterIndex.hits] ?? 0,
      processes: from.processes,
      links: from.links,
      responsesNotAwaited: from.responses?.evicted ?? 0,
      responsesUnmatched: from.responses?.orphans ?? 0,
      holdsSkipped: from.counters[counterIndex.holdsSkipped] ?? 0,
      holdsExpired: from.holdsExpired,
      transportCallsReleased: from.transport?.released ?? 0,
      transportEndsUnmatched: from.transport?.orphans ?? 0,
    };
  }
}

/** Iterators share one queue (each item goes to one consumer); aborting `signal` ends just this one. */
function iterate<T>(queue: EventQueue<T>, signal: AbortSignal | undefined): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    next: () => queue.nextOrAbort(signal),
    return: async () => ({ value: undefined, done: true }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
