import { counterIndex } from './abi/bpf-abi.js';
import { pidOf } from './abi/decode-event.js';
import { EventQueue } from './event-queue.js';
import { Fifo } from './fifo.js';
import type { HttpRequestEvent } from './http-event.js';
import type { HttpRequestView } from './http-request-view.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import { RecordBacklog } from './record-backlog.js';
import { maskRequest, type SecretRedactor } from './redact.js';
import { RequestViewQueue, type RecordViewReader } from './request-view-queue.js';
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
  readonly binaries: number;
  readonly binariesRefused: number;
  readonly untraceableEvicted: number;
  readonly transport?: TransportJoin | undefined;
  readonly spillPeakBytes?: number;
  readonly exitsSwept?: number;
}

/** Turns the request records of the backlog into events when the queue has room for them. */
export interface BacklogDecoder {
  /** The record's event; undefined when it cannot be decoded (counted by the decoder). */
  decode(record: Buffer): HttpRequestEvent | undefined;
  /** The backlog is empty again: files its records named by offset may close. */
  drained(): void;
}

/**
 * What a decoded request is taken to cost while it waits: its strings (two bytes a character in
 * the worst case) and a fixed part for the objects around them. It errs high: a request with 8
 * headers took 1.0 KB of V8 heap where this says 1.5 KB.
 */
export function eventBytes(event: HttpRequestEvent): number {
  let bytes = 512 + 2 * (event.method.length + event.url.length + (event.originalUrl?.length ?? 0));
  for (const [key, value] of Object.entries(event.headers)) bytes += 64 + 2 * (key.length + value.length);
  return bytes;
}

/**
 * The two queues consumers read, requests and lifecycle notices, and what was delivered into
 * them. Requests are masked here when the Snooper redacts secrets, so nothing unmasked is queued.
 * Behind a full request queue, records wait undecoded in a backlog of `backlogBytes` (0: none)
 * and are decoded as consumers take events; requests that come decoded (`response`, `transport`:
 * their joins decode them) wait as events, counted by eventBytes() against the same budget. Past
 * it they are dropped and counted.
 */
export class EventDelivery {
  private readonly requests: EventQueue<HttpRequestEvent>;
  private readonly notices = new EventQueue<LifecycleEvent>(maxNotices);
  private readonly backlog: RecordBacklog;
  /** Decoded requests waiting behind a full queue, first in first out. */
  private readonly waiting = new Fifo<HttpRequestEvent>();
  private waitingBytes = 0;
  private decoder: BacklogDecoder | undefined;
  /** Option requestViews: consumers take request records from the backlog as views. */
  private views: RequestViewQueue | undefined;
  /** Requests delivered into the queue or the backlog, or dropped there (counted by stats() as events). */
  private delivered = 0;
  /** end() was called: the request queue ends once the backlog is empty. */
  private ending = false;

  constructor(
    maxQueue: number,
    /** Masks requests before consumers see them (read by the views of option requestViews). */
    readonly redactor: SecretRedactor | undefined,
    backlogBytes = 0,
    /** Called with the PID of each request dropped, decoded or not (stats().queueDrops). */
    private readonly onDrop?: (pid: number) => void,
    /** Option requestViews: every request record waits in the backlog until a consumer takes it (see views). */
    readonly keepsRecords = false,
  ) {
    this.requests = new EventQueue(maxQueue);
    this.backlog = new RecordBacklog(backlogBytes);
  }

  /** True when a request would be dropped: consumers are `maxQueue` events behind. */
  get full(): boolean {
    return this.requests.full;
  }

  /** True when a request record must wait (or be dropped): the queue is full, or earlier records wait. */
  get behind(): boolean {
    return this.keepsRecords || this.backlog.length > 0 || this.waitingEvents > 0 || this.requests.full;
  }

  /** Records waiting undecoded, and their bytes. */
  get backlogged(): { records: number; sizeBytes: number } {
    return { records: this.backlog.length, sizeBytes: this.backlog.sizeBytes };
  }

  /** Decoded requests waiting behind a full queue, and what they are taken to cost (eventBytes). */
  get waitingDecoded(): { events: number; sizeBytes: number } {
    return { events: this.waitingEvents, sizeBytes: this.waitingBytes };
  }

  private get waitingEvents(): number {
    return this.waiting.size;
  }

  /** Sets how backlogged records become events; without it nothing is kept in the backlog. */
  decodeBacklogWith(decoder: BacklogDecoder, viewReader?: RecordViewReader): void {
    this.decoder = decoder;
    if (this.keepsRecords && viewReader)
      this.views = new RequestViewQueue(this.backlog, viewReader, () => this.delivered--);
  }

  /** A request record that arrived while `behind`: it waits in the backlog, or is dropped when that is full. */
  defer(record: Buffer, pid: number): void {
    if (this.decoder && this.backlog.push(record)) this.delivered++;
    else this.dropUndecoded(pid);
  }

  /**
   * defer() for the record at [start, start + size) of a ring batch, copied in without a Buffer of
   * its own, with the shape id its frame holds (`words`: the batch's, when its offset is a multiple
   * of 4).
   */
  deferFrom(batch: Buffer, words: Uint32Array | undefined, start: number, size: number): void {
    const shapeId = words ? words[(start >>> 2) - 1]! : batch.readUInt32LE(start - 4);
    if (this.decoder && this.backlog.pushFrom(batch, words, start, size, shapeId)) this.delivered++;
    else this.dropUndecoded(pidOf(batch.subarray(start, start + size)));
  }

  /**
   * Request records only, `records` of them in a ring batch framed as the ring frames them: the
   * batch is kept whole in the backlog (see RecordBacklog.adopt). False when they do not fit: then
   * they go one by one (deferFrom), so that those that fit are kept.
   */
  adoptRequests(batch: Buffer, words: Uint32Array, records: number, sizeBytes: number, end: number): boolean {
    if (!this.decoder || !this.backlog.adopt(batch, words, records, sizeBytes, end)) return false;
    this.delivered += records;
    return true;
  }

  /** Moves waiting events, then decodes backlogged records, into the queue while it has room (as consumers take events). */
  refill(): void {
    if (this.views) {
      this.views.wake();
      return;
    }
    while (this.waitingEvents > 0 && !this.requests.full) {
      const event = this.waiting.shift()!;
      this.waitingBytes -= eventBytes(event);
      this.push(event);
    }
    if (this.waitingEvents === 0) this.waitingBytes = 0;
    if (this.backlog.length === 0) {
      if (this.ending && this.waitingEvents === 0) this.requests.end();
      return;
    }
    const decoder = this.decoder!;
    while (this.backlog.length > 0 && !this.requests.full) {
      const event = decoder.decode(this.backlog.shift()!);
      if (event) this.push(event);
    }
    if (this.backlog.length > 0) return;
    decoder.drained();
    if (this.ending) this.requests.end();
  }

  deliver(event: HttpRequestEvent): void {
    this.delivered++;
    if (this.waitingEvents > 0 || this.requests.full) {
      const bytes = eventBytes(event);
      if (this.backlog.sizeBytes + this.waitingBytes + bytes <= this.backlog.maxBytes) {
        this.waiting.push(event);
        this.waitingBytes += bytes;
        return;
      }
    }
    this.push(event);
  }

  private push(event: HttpRequestEvent): void {
    if (this.requests.full) {
      // A decoded request the queue refuses (the response and transport joins deliver decoded
      // events): counted and named like a record dropped undecoded.
      this.requests.dropped++;
      this.onDrop?.(event.pid);
      return;
    }
    this.requests.push(this.redactor ? maskRequest(this.redactor, event) : event);
  }

  /** Counts a request dropped behind a full queue without decoding it: the consumer is behind already. */
  dropUndecoded(pid: number): void {
    this.requests.dropped++;
    this.delivered++;
    this.onDrop?.(pid);
  }

  notify(notice: LifecycleEvent): void {
    this.notices.push(notice);
  }

  events(signal: AbortSignal | undefined): AsyncIterableIterator<HttpRequestEvent> {
    return this.views ? this.views.events(signal) : iterate(this.requests, signal, () => this.refill());
  }

  /** Option requestViews: batches of request views; undefined without it. */
  requestViews(signal: AbortSignal | undefined): AsyncIterableIterator<Iterable<HttpRequestView>> | undefined {
    return this.views?.batches(signal);
  }

  lifecycle(signal: AbortSignal | undefined): AsyncIterableIterator<LifecycleEvent> {
    return iterate(this.notices, signal);
  }

  /** Nothing more will come: iterators end once they have drained what is queued and backlogged. */
  end(): void {
    this.ending = true;
    this.views?.end();
    if (this.backlog.length === 0 && this.waitingEvents === 0) this.requests.end();
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
      binaries: from.binaries,
      binariesRefused: from.binariesRefused,
      untraceableEvicted: from.untraceableEvicted,
      responsesNotAwaited: from.responses?.evicted ?? 0,
      responsesUnmatched: from.responses?.orphans ?? 0,
      holdsSkipped: from.counters[counterIndex.holdsSkipped] ?? 0,
      holdsExpired: from.holdsExpired,
      transportCallsReleased: from.transport?.released ?? 0,
      transportEndsUnmatched: from.transport?.orphans ?? 0,
      spillPeakBytes: from.spillPeakBytes ?? 0,
      exitsSwept: from.exitsSwept ?? 0,
    };
  }
}

/**
 * Iterators share one queue (each item goes to one consumer); aborting `signal` ends just this one.
 * `refill` tops the queue up before each item is taken.
 */
function iterate<T>(
  queue: EventQueue<T>,
  signal: AbortSignal | undefined,
  refill: () => void = () => undefined,
): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      refill();
      return queue.nextOrAbort(signal);
    },
    return: async () => ({ value: undefined, done: true }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
