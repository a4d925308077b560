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

/** JSON: the text between the fields of a call after the process's. */
const jsonGoid = ascii(',"goid":');
const jsonNullGoid = ascii('null,');
const comma = 0x2c;

/** Processes whose part is kept before the writer starts over. */
const maxProcesses = 1024;

interface ProcessPart {
  readonly pid: number;
  readonly nsPid: number;
  readonly bytes: Uint8Array;
}

/**
 * Writes a call's part of a request's text as bytes (`jsonCall` and `textCall` are the reference):
 * what repeats from one request to the next (the time up to its second, the process) is kept as
 * bytes, and the milliseconds, thread and goroutine are written as digits. (Keeping the thread's
 * and goroutine's text too cost a string and a buffer at almost every request: two goroutines of a
 * client take turns in the ring.) `toISOString()` always ends in `.sssZ`, so the text up to the
 * milliseconds is all that changes within a second.
 */
export class CallWriter {
  private second = Number.NaN;
  /** JSON: `{"time":"…ss.`; text: the colour code and `…ss.`. */
  private timeHead: Uint8Array = new Uint8Array(0);
  /** The last request's process, and its part: JSON `Z","pid":…,"nsPid":…,"tid":`; text (with --timestamps `Z`, the colour's end and a space) `PID `. */
  private process: ProcessPart = { pid: Number.NaN, nsPid: Number.NaN, bytes: new Uint8Array(0) };
  /** The parts of processes seen, for requests of several processes that take turns (`--binary`, `--all`). */
  private readonly processes = new Map<number, ProcessPart>();

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
      end = putBytes(into, end, this.timeHead);
      const milli = ms - second * 1000;
      const tens = Math.floor(milli / 10);
      into[end] = 0x30 + Math.floor(milli / 100);
      into[end + 1] = 0x30 + (tens % 10);
      into[end + 2] = 0x30 + (milli - tens * 10);
      end += 3;
    }
    if (call.pid !== this.process.pid || call.nsPid !== this.process.nsPid) this.process = this.processOf(call);
    end = putBytes(into, end, this.process.bytes);
    if (!this.json) return end;
    end = putBytes(into, putDecimal(into, end, call.tid), jsonGoid);
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

  private processOf({ pid, nsPid }: CallFields): ProcessPart {
    const known = this.processes.get(pid);
    if (known?.nsPid === nsPid) return known;
    if (this.processes.size >= maxProcesses) this.processes.clear();
    const stampEnd = this.timestamps ? `Z${this.color ? '\x1b[0m' : ''} ` : '';
    const bytes = ascii(this.json ? `Z","pid":${pid},"nsPid":${nsPid},"tid":` : `${stampEnd}${pid} `);
    const part = { pid, nsPid, bytes };
    this.processes.set(pid, part);
    return part;
  }
}
