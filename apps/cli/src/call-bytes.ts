import { putBytes, putDecimal } from './decimal-bytes.js';
import { isoTimeOfMs } from './iso-time.js';

/** The most bytes a call's part takes: the time, four numbers of up to 22 characters, the field names, colour codes. */
export const maxCallBytes = 256;

/** A request's call fields, as views carry them. */
export interface CallFields {
  readonly pid: number;
  readonly nsPid: number;
  readonly tid: number;
  readonly goid: number | undefined;
  readonly timeMs: number;
}

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/** JSON: the text between the fields of a call after the thread's. */
const jsonGoid = ascii(',"goid":');
const jsonNullGoid = ascii('null,');
const comma = 0x2c;
/** Where the milliseconds go in a head: three digits, written over these. */
const milliPlaceholder = '000';

/** Processes whose head is kept before the writer starts over; a new second starts over too. */
const maxProcesses = 1024;

interface Head {
  readonly second: number;
  readonly pid: number;
  readonly nsPid: number;
  /**
   * The call's part up to its thread, with `000` for the milliseconds: JSON
   * `{"time":"…ss.000Z","pid":…,"nsPid":…,"tid":`; text (with --timestamps, the colour codes
   * and `…ss.000Z `) `PID `.
   */
  readonly bytes: Uint8Array;
  /** Where the milliseconds are in `bytes`; -1 without --timestamps. */
  readonly milliAt: number;
}

/**
 * Writes a call's part of a request's text as bytes (`jsonCall` and `textCall` are the reference).
 * What repeats from one request to the next (the time up to its second, the process) is kept as
 * one head and copied at once; the milliseconds are written into it, and the thread and goroutine
 * after it as digits. (Keeping the thread's and goroutine's text too cost a string and a buffer at
 * almost every request: two goroutines of a client take turns in the ring.) `toISOString()` always
 * ends in `.sssZ`, so the text up to the milliseconds is all that changes within a second.
 */
export class CallWriter {
  /** The last request's head, and the heads of processes seen in its second (several take turns under `--binary`). */
  private head: Head = {
    second: Number.NaN,
    pid: Number.NaN,
    nsPid: Number.NaN,
    bytes: new Uint8Array(0),
    milliAt: -1,
  };
  private readonly heads = new Map<number, Head>();

  private constructor(
    private readonly json: boolean,
    private readonly timestamps: boolean,
    private readonly color: boolean,
  ) {}

  static json(): CallWriter {
    return new CallWriter(true, true, false);
  }

  static text(options: { timestamps: boolean; color: boolean }): CallWriter {
    return new CallWriter(false, options.timestamps, options.color);
  }

  /** Writes the call's part at `at`; returns where it ended. */
  readonly write = (into: Buffer, at: number, call: CallFields): number => {
    const ms = call.timeMs;
    const second = this.timestamps ? Math.floor(ms / 1000) : 0;
    let head = this.head;
    if (second !== head.second || call.pid !== head.pid || call.nsPid !== head.nsPid)
      head = this.head = this.headOf(second, call);
    into.set(head.bytes, at);
    let end = at + head.bytes.length;
    if (head.milliAt >= 0) {
      const milli = ms - second * 1000;
      const tens = Math.floor(milli / 10);
      const m = at + head.milliAt;
      into[m] = 0x30 + Math.floor(milli / 100);
      into[m + 1] = 0x30 + (tens % 10);
      into[m + 2] = 0x30 + (milli - tens * 10);
    }
    if (!this.json) return end;
    end = putBytes(into, putDecimal(into, end, call.tid), jsonGoid);
    const goid = call.goid;
    if (goid === undefined) return putBytes(into, end, jsonNullGoid);
    end = putDecimal(into, end, goid);
    into[end] = comma;
    return end + 1;
  };

  private headOf(second: number, { timeMs, pid, nsPid }: CallFields): Head {
    if (second !== this.head.second) this.heads.clear();
    const known = this.heads.get(pid);
    if (known?.nsPid === nsPid) return known;
    if (this.heads.size >= maxProcesses) this.heads.clear();
    let text: string;
    let milliAt = -1;
    if (this.timestamps) {
      const upToMillis = isoTimeOfMs(timeMs).slice(0, -4);
      const start = this.json ? `{"time":"${upToMillis}` : `${this.color ? '\x1b[2m' : ''}${upToMillis}`;
      milliAt = start.length;
      const end = this.json ? `Z","pid":${pid},"nsPid":${nsPid},"tid":` : `Z${this.color ? '\x1b[0m' : ''} ${pid} `;
      text = start + milliPlaceholder + end;
    } else {
      text = `${pid} `;
    }
    const head = { second, pid, nsPid, bytes: ascii(text), milliAt };
    this.heads.set(pid, head);
    return head;
  }
}
