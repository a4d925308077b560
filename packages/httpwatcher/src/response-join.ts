import type { ResponseRecord } from './abi/decode-response.js';
import type { HttpRequestEvent } from './http-event.js';

interface PendingRequest {
  readonly event: HttpRequestEvent;
  readonly pid: number;
}

type Via = 'client' | 'transport';

/**
 * The key that ties a call's request to its return: (pid, function, request pointer, start time).
 * A Go program may reuse a *http.Request, so the pointer alone does not name one call; with the
 * transport probe, Client.do and roundTrip see the same request.
 */
function callKey(pid: number, via: Via, requestPtr: bigint, startNs: bigint): string {
  return `${pid}:${via}:${requestPtr}:${startNs}`;
}

/**
 * Holds request events until their call returns, then emits each once with `status`, `error` and
 * `durationNs`. The kernel writes a call's request record before its response record into one
 * ring, so a response never precedes its request. Requests whose call never returns (a panic
 * through Client.do, the process exiting mid-call) are emitted without response fields when
 * their process exits, when more than `maxPending` are waiting (oldest first), or at `drain()`.
 *
 * Behind the TransportJoin, a request comes with the function whose record it was made from: a hop
 * waits for roundTrip's return, a call without hops for Client.do's. The Client.do return of a
 * call reported through its hops is expected (`unwanted`) and dropped without counting.
 */
export class ResponseJoin {
  private readonly pending = new Map<string, PendingRequest>();
  /** Client.do calls reported through their hops: their return answers no request (at most maxPending). */
  private readonly unwanted = new Set<string>();
  /** Requests emitted without a response because the pending set was full. */
  evicted = 0;
  /** Responses whose request record was never seen (lost in a full ring, or traced mid-call). */
  orphans = 0;

  constructor(
    private readonly maxPending: number,
    private readonly emit: (event: HttpRequestEvent) => void,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /**
   * A call started: `requestPtr` is the *http.Request its record names (requestPointerOf), `via` the
   * function whose probe wrote the record (always Client.do without the transport probe).
   */
  request(event: HttpRequestEvent, requestPtr: bigint, via: Via = 'client'): void {
    if (this.pending.size >= this.maxPending) {
      const [oldestKey, oldest] = this.pending.entries().next().value!;
      this.pending.delete(oldestKey);
      this.evicted++;
      this.emit(oldest.event);
    }
    this.pending.set(callKey(event.pid, via, requestPtr, event.monotonicNs), { event, pid: event.pid });
  }

  /** The Client.do call started at `startNs` was reported through its hops: its return answers none of them. */
  hopsAnswered(pid: number, requestPtr: bigint, startNs: bigint): void {
    if (this.unwanted.size >= this.maxPending) this.unwanted.delete(this.unwanted.values().next().value!);
    this.unwanted.add(callKey(pid, 'client', requestPtr, startNs));
  }

  response(record: ResponseRecord): void {
    const key = callKey(record.pid, record.via, record.requestPtr, record.startNs);
    const waiting = this.pending.get(key);
    if (!waiting) {
      if (!this.unwanted.delete(key)) this.orphans++;
      return;
    }
    this.pending.delete(key);
    this.emit({
      ...waiting.event,
      ...(record.status !== undefined && { status: record.status }),
      error: record.error,
      durationNs: Number(record.endNs - record.startNs),
    });
  }

  /** The process is gone: its calls in flight will never return. */
  processExited(pid: number): void {
    for (const key of this.unwanted) if (key.startsWith(`${pid}:`)) this.unwanted.delete(key);
    for (const [key, waiting] of this.pending) {
      if (waiting.pid !== pid) continue;
      this.pending.delete(key);
      this.emit(waiting.event);
    }
  }

  /** Emits every request still waiting, without response fields. */
  drain(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    this.unwanted.clear();
    for (const waiting of all) this.emit(waiting.event);
  }
}
