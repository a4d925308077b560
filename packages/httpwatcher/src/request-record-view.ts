import { eventLayout as E } from './abi/bpf-abi.js';
import type { HttpRequestEvent } from './http-event.js';
import type { HttpRequestShape, HttpRequestView } from './http-request-view.js';
import type { MonotonicClock } from './monotonic-clock.js';
import type { RequestShapes } from './request-shapes.js';

/** Below 2^53 ns (104 days of uptime) the time is read as a number; above, as a bigint (decodeEvent does the same). */
const exactHigh = 0x200000;

/** A view moved from record to record (`read`): the call's fields read from its bytes, the shape from `RequestShapes`. */
export class RequestRecordView implements HttpRequestView {
  pid = 0;
  nsPid = 0;
  tid = 0;
  goid: number | undefined;
  timeMs = 0;
  shape!: HttpRequestShape;
  private record: Buffer | undefined;

  constructor(
    private readonly shapes: RequestShapes,
    private readonly clock: MonotonicClock,
    /** The record's event, as events() delivers it (masked when the Snooper redacts). */
    private readonly eventOf: (record: Buffer) => HttpRequestEvent,
  ) {}

  /** Points the view at `record`, which must stay unchanged while the view is used; throws DecodeError. */
  read(record: Buffer): void {
    this.shape = this.shapes.shapeOf(record);
    this.record = record;
    this.pid = record.readUInt32LE(E.tgid);
    this.nsPid = record.readUInt32LE(E.nsTgid);
    this.tid = record.readUInt32LE(E.tid);
    const goid = record.readUInt32LE(E.goid + 4) * 0x1_0000_0000 + record.readUInt32LE(E.goid);
    this.goid = goid === 0 ? undefined : goid;
    const high = record.readUInt32LE(E.ktimeNs + 4);
    this.timeMs =
      high < exactHigh
        ? this.clock.msOfNs(high * 0x1_0000_0000 + record.readUInt32LE(E.ktimeNs))
        : this.clock.toDate(record.readBigUInt64LE(E.ktimeNs)).getTime();
  }

  toEvent(): HttpRequestEvent {
    return this.eventOf(this.record!);
  }
}
