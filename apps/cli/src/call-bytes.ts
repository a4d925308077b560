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

/**
 * Writes a call's part of a request's text as bytes (`jsonCall` and `textCall` are the reference):
 * what repeats from one request to the next (the time up to its second, the process and thread,
 * the goroutine) is kept as bytes and copied, and only the milliseconds are written each time.
 * `toISOString()` always ends in `.sssZ`, so the text up to the milliseconds is all that changes
 * within a second.
 */
export class CallWriter {
  private second = Number.NaN;
  /** JSON: `{"time":"…ss.`; text: the colour code and `…ss.`. */
  private timeHead: Uint8Array = new Uint8Array(0);
  private ids: readonly [number, number, number] = [Number.NaN, 0, 0];
  /** JSON: `Z","pid":…,"goid":`; text: (the colour's end and a space, with --timestamps) `PID `. */
  private idsBytes: Uint8Array = new Uint8Array(0);
  private goid: number | undefined | null = null;
  /** JSON: `G,` or `null,`. */
  private goidBytes: Uint8Array = new Uint8Array(0);

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
    let end = at;
    if (this.timestamps) {
      const ms = call.timeMs;
      const second = Math.floor(ms / 1000);
      if (second !== this.second) this.newSecond(ms, second);
      into.set(this.timeHead, end);
      end += this.timeHead.length;
      const milli = ms - second * 1000;
      into[end] = 0x30 + Math.floor(milli / 100);
      into[end + 1] = 0x30 + (Math.floor(milli / 10) % 10);
      into[end + 2] = 0x30 + (milli % 10);
      end += 3;
    }
    const ids = this.ids;
    if (call.pid !== ids[0] || call.nsPid !== ids[1] || call.tid !== ids[2]) this.newIds(call);
    into.set(this.idsBytes, end);
    end += this.idsBytes.length;
    if (!this.json) return end;
    if (call.goid !== this.goid) {
      this.goid = call.goid;
      this.goidBytes = ascii(`${call.goid ?? 'null'},`);
    }
    into.set(this.goidBytes, end);
    return end + this.goidBytes.length;
  };

  private newSecond(ms: number, second: number): void {
    this.second = second;
    const upToMillis = isoTimeOfMs(ms).slice(0, -4);
    this.timeHead = ascii(this.json ? `{"time":"${upToMillis}` : `${this.color ? '\x1b[2m' : ''}${upToMillis}`);
  }

  private newIds({ pid, nsPid, tid }: CallFields): void {
    this.ids = [pid, nsPid, tid];
    const stampEnd = this.timestamps ? `Z${this.color ? '\x1b[0m' : ''} ` : '';
    this.idsBytes = ascii(this.json ? `Z","pid":${pid},"nsPid":${nsPid},"tid":${tid},"goid":` : `${stampEnd}${pid} `);
  }
}
