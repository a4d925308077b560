import { eventLayout as E } from './abi/bpf-abi.js';
import type { HttpRequestEvent } from './http-event.js';
import type { HttpRequestShape, HttpRequestView } from './http-request-view.js';
import type { MonotonicClock } from './monotonic-clock.js';
import { emptySpan, type RecordSpan, recordOf } from './record-span.js';
import type { RequestShapes } from './request-shapes.js';

/** Below 2^53 ns (104 days of uptime) the time is read as a number; above, as a bigint (decodeEvent does the same). */
const exactHigh = 0x200000;

/** The call's fields as words of the record: every one is at a multiple of 4 bytes (bpf-abi.ts). */
const W = {
  timeLow: E.ktimeNs / 4,
  goidLow: E.goid / 4,
  tgid: E.tgid / 4,
  tid: E.tid / 4,
  nsTgid: E.nsTgid / 4,
} as const;

/** A view moved from record to record (`read`): the call's fields read from its bytes, the shape from `RequestShapes`. */
export class RequestRecordView implements HttpRequestView {
  pid = 0;
  nsPid = 0;
  tid = 0;
  goid: number | undefined;
  timeMs = 0;
  shape!: HttpRequestShape;
  private readonly span: RecordSpan = emptySpan();

  constructor(
    private readonly shapes: RequestShapes,
    private readonly clock: MonotonicClock,
    /** The record's event, as events() delivers it (masked when the Snooper redacts). */
    private readonly eventOf: (record: Buffer) => HttpRequestEvent,
  ) {}

  /**
   * Points the view at the record `span` points at, which must stay unchanged while the view is
   * used; throws DecodeError.
   */
  read(span: RecordSpan): void {
    this.shape = this.shapes.shapeOf(span);
    const { bytes, words, start } = span;
    const own = this.span;
    own.bytes = bytes;
    own.words = words;
    own.start = start;
    own.size = span.size;
    const w = start >>> 2;
    this.pid = words[w + W.tgid]!;
    this.nsPid = words[w + W.nsTgid]!;
    this.tid = words[w + W.tid]!;
    const goid = words[w + W.goidLow + 1]! * 0x1_0000_0000 + words[w + W.goidLow]!;
    this.goid = goid === 0 ? undefined : goid;
    const high = words[w + W.timeLow + 1]!;
    this.timeMs =
      high < exactHigh
        ? this.clock.msOfNs(high * 0x1_0000_0000 + words[w + W.timeLow]!)
        : this.clock.toDate(bytes.readBigUInt64LE(start + E.ktimeNs)).getTime();
  }

  toEvent(): HttpRequestEvent {
    return this.eventOf(recordOf(this.span));
  }
}
