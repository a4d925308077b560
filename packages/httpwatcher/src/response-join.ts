import type { ResponseRecord } from './abi/decode-response.js';
import type { HttpRequestEvent } from './http-event.js';

interface PendingRequest {
  readonly event: HttpRequestEvent;
  readonly pid: number;
}

/**
 * The key that ties a call's request to its return: (pid, request pointer, start time). A Go
 * program may reuse a *http.Request, so the pointer alone does not name one call.
 */
function callKey(pid: number, requestPtr: bigint, startNs: bigint): string {
  return `${pid}:${requestPtr}:${startNs}`;
}

/**
 * Holds request events until their call returns, then emits each once with `status`, `error` and
 * `durationNs`. The kernel writes a call's request record before its response record into one
 * ring, so a response never precedes its request. Requests whose call never returns (a panic
 * through Client.do, the process exiting mid-call) are emitted without response fields when
 * their process exits, when more than `maxPending` are waiting (oldest first), or at `drain()`.
 */
export class ResponseJoin {
  private readonly pending = new Map<string, PendingRequest>();
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

  /** A call started: `requestPtr` is the *http.Request its record names (requestPointerOf). */
  request(event: HttpRequestEvent, requestPtr: bigint): void {
    if (this.pending.size >= this.maxPending) {
      const [oldestKey, oldest] = this.pending.entries().next().value!;
      this.pending.delete(oldestKey);
      this.evicted++;
      this.emit(oldest.event);
    }
    this.pending.set(callKey(event.pid, requestPtr, event.monotonicNs), { event, pid: event.pid });
  }

  response(record: ResponseRecord): void {
    const key = callKey(record.pid, record.requestPtr, record.startNs);
    const waiting = this.pending.get(key);
    if (!waiting) {
      this.orphans++;
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
    for (const waiting of all) this.emit(waiting.event);
  }
}
