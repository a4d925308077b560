import type { HttpRequestEvent } from './http-event.js';

/** A request record's event with what the join needs from the record. */
export interface JoinedRecord {
  readonly event: HttpRequestEvent;
  /** HW_VIA_*: which probe wrote it. */
  readonly via: 'client' | 'transport';
  /** The calling goroutine's runtime.g pointer, 0n when unknown. */
  readonly g: bigint;
  /** The *http.Request the record names: with the event's monotonicNs and `via`, its call's response names it. */
  readonly requestPtr: bigint;
}

/**
 * The record an emitted event was made from (a hop's transport record, or a call's client record):
 * the response of that function's call answers the event (ResponseJoin), named by the record's
 * `via`, `requestPtr` and the event's `monotonicNs`.
 */
export interface JoinSource {
  readonly via: 'client' | 'transport';
  readonly requestPtr: bigint;
}

/** One Client.do call in flight on a goroutine: its own event, and how many hops reached the transport. */
interface OpenCall {
  readonly event: HttpRequestEvent;
  readonly requestPtr: bigint;
  readonly openedAtMs: number;
  hops: number;
}

/** Nested Client.Do calls on one goroutine (a RoundTripper that itself sends a request) kept at most. */
const maxDepth = 8;

/**
 * Joins transport records to the Client.do call of the same goroutine (docs/transport-probes.md).
 * Records of one goroutine arrive in program order: between a call's client record and its end,
 * each transport record of that goroutine is one hop of the call (`via: 'client'`, hop 0, 1, 2…,
 * `originalUrl` the call's URL); a transport record with no call open is its own request (`via:
 * 'transport'`, hop 0). A call that ends with no hop (its RoundTripper is not the standard
 * transport, or it failed before reaching it) is reported from its client record. Open calls are
 * bounded: the oldest is let go past `maxOpen`, after `maxHoldMs`, and when the process exits.
 *
 * With responses, each event goes on with the record it was made from (`JoinSource`), so that its
 * own function's return answers it: a hop by roundTrip's, a call without hops by Client.do's. The
 * Client.do return of a call reported through its hops answers nothing: `hopsAnswered` names it.
 */
export class TransportJoin {
  /** Open calls by `${pid}:${g}`, innermost last. */
  private readonly open = new Map<string, OpenCall[]>();
  private openCount = 0;
  private lastExpiryMs = 0;
  /** Calls let go before their end (full, too old, process gone, or nested too deep). */
  released = 0;
  /** Call ends with no open call (lost records, or a call already in flight at attach). */
  orphans = 0;

  constructor(
    private readonly maxOpen: number,
    private readonly maxHoldMs: number,
    private readonly emit: (event: HttpRequestEvent, from: JoinSource) => void,
    private readonly now: () => number = Date.now,
    /** A call reported through its hops ended: its client record (`via` client) will get no event. */
    private readonly hopsAnswered: (pid: number, requestPtr: bigint, startNs: bigint) => void = () => undefined,
  ) {}

  get size(): number {
    return this.openCount;
  }

  request(record: JoinedRecord): void {
    const { event, via, g, requestPtr } = record;
    const from: JoinSource = { via, requestPtr };
    if (via === 'transport') {
      const call = g === 0n ? undefined : this.open.get(keyOf(event.pid, g))?.at(-1);
      if (!call) {
        this.emit({ ...event, via: 'transport', hop: 0 }, from);
        return;
      }
      this.emit({ ...event, via: 'client', hop: call.hops++, originalUrl: call.event.url }, from);
      return;
    }
    if (g === 0n) {
      this.emit({ ...event, via: 'client', hop: 0 }, from); // no goroutine to join by: the call is the request
      return;
    }
    if (this.now() - this.lastExpiryMs >= 1000) this.expire();
    if (this.openCount >= this.maxOpen) this.releaseOldest();
    const key = keyOf(event.pid, g);
    let calls = this.open.get(key);
    if (!calls) {
      calls = [];
      this.open.set(key, calls);
    }
    if (calls.length >= maxDepth) this.let(calls.shift()!, key, calls);
    calls.push({ event, requestPtr, openedAtMs: this.now(), hops: 0 });
    this.openCount++;
  }

  /** A return of Client.do on goroutine `g`: its innermost open call ended. */
  callEnd(pid: number, g: bigint): void {
    const key = keyOf(pid, g);
    const calls = this.open.get(key);
    const call = calls?.pop();
    if (!calls || !call) {
      this.orphans++;
      return;
    }
    this.openCount--;
    if (calls.length === 0) this.open.delete(key);
    if (call.hops === 0) this.emitCall(call);
    else this.hopsAnswered(pid, call.requestPtr, call.event.monotonicNs);
  }

  /** The process is gone: its open calls will not end. */
  processExited(pid: number): void {
    const prefix = `${pid}:`;
    for (const [key, calls] of this.open) {
      if (!key.startsWith(prefix)) continue;
      this.open.delete(key);
      for (const call of calls) this.release(call);
    }
  }

  /** Lets go of calls open longer than maxHoldMs (the Snooper calls it every second too). */
  expire(): void {
    this.lastExpiryMs = this.now();
    const oldest = this.lastExpiryMs - this.maxHoldMs;
    for (const [key, calls] of this.open) {
      while (calls.length > 0 && calls[0]!.openedAtMs < oldest) this.let(calls.shift()!, key, calls);
    }
  }

  /** Lets go of every open call. */
  drain(): void {
    const all = [...this.open.values()].flat();
    this.open.clear();
    for (const call of all) this.release(call);
  }

  private releaseOldest(): void {
    let oldest: { key: string; calls: OpenCall[] } | undefined;
    for (const [key, calls] of this.open) {
      if (!oldest || calls[0]!.openedAtMs < oldest.calls[0]!.openedAtMs) oldest = { key, calls };
    }
    if (oldest) this.let(oldest.calls.shift()!, oldest.key, oldest.calls);
  }

  private let(call: OpenCall, key: string, calls: OpenCall[]): void {
    if (calls.length === 0) this.open.delete(key);
    this.release(call);
  }

  /** A call let go before its end: reported from its client record if no hop was. */
  private release(call: OpenCall): void {
    this.openCount--;
    this.released++;
    if (call.hops === 0) this.emitCall(call);
  }

  /** A call no hop reported: its own event, from its client record. */
  private emitCall(call: OpenCall): void {
    this.emit({ ...call.event, via: 'client', hop: 0 }, { via: 'client', requestPtr: call.requestPtr });
  }
}

function keyOf(pid: number, g: bigint): string {
  return `${pid}:${g}`;
}
