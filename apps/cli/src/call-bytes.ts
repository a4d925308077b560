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

/** JSON: the text between the fields of a call, the time's end first. */
const jsonPid = ascii('Z","pid":');
const jsonNsPid = ascii(',"nsPid":');
const jsonTid = ascii(',"tid":');
const jsonGoid = ascii(',"goid":');
const jsonNullGoid = ascii('null,');
const comma = 0x2c;
const space = 0x20;

/**
 * Writes a call's part of a request's text as bytes (`jsonCall` and `textCall` are the reference):
 * the time up to its second is kept as bytes, since it repeats from one request to the next, and
 * the milliseconds and numbers are written as digits. (Keeping the numbers' text too cost a string
 * and a buffer at every change, and two goroutines of a client, or several processes, take turns
 * in the ring.) `toISOString()` always ends in `.sssZ`, so the text up to the milliseconds is all
 * that changes within a second.
 */
export class CallWriter {
  private second = Number.NaN;
  /** JSON: `{"time":"…ss.`; text: the colour code and `…ss.`. */
  private timeHead: Uint8Array = new Uint8Array(0);
  /** Text with --timestamps: `Z`, the colour's end, a space. */
  private readonly timeEnd: Uint8Array;

  private constructor(
    private readonly json: boolean,
    private readonly timestamps: boolean,
    private readonly color: boolean,
  ) {
    this.timeEnd = ascii(`Z${color ? '\x1b[0m' : ''} `);
  }

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
      end = putBytes(into, end, this.timeHead);
      const milli = ms - second * 1000;
      const tens = Math.floor(milli / 10);
      into[end] = 0x30 + Math.floor(milli / 100);
      into[end + 1] = 0x30 + (tens % 10);
      into[end + 2] = 0x30 + (milli - tens * 10);
      end += 3;
    }
    if (!this.json) {
      if (this.timestamps) end = putBytes(into, end, this.timeEnd);
      end = putDecimal(into, end, call.pid);
      into[end] = space;
      return end + 1;
    }
    end = putDecimal(into, putBytes(into, end, jsonPid), call.pid);
    end = putDecimal(into, putBytes(into, end, jsonNsPid), call.nsPid);
    end = putDecimal(into, putBytes(into, end, jsonTid), call.tid);
    end = putBytes(into, end, jsonGoid);
    const goid = call.goid;
    if (goid === undefined) return putBytes(into, end, jsonNullGoid);
    end = putDecimal(into, end, goid);
    into[end] = comma;
    return end + 1;
  };

  private newSecond(ms: number, second: number): void {
    this.second = second;
    const upToMillis = isoTimeOfMs(ms).slice(0, -4);
    this.timeHead = ascii(this.json ? `{"time":"${upToMillis}` : `${this.color ? '\x1b[2m' : ''}${upToMillis}`);
  }
}
