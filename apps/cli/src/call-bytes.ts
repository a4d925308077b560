import { isoTimeOfMs } from './iso-time.js';

/** The largest number whose digits the loop below writes exactly; larger ones go through String(). */
const exactDigits = 2 ** 53;

/** Writes ASCII `text` at `at`; returns where it ended. */
function ascii(into: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) into[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/** Writes a whole number ≥ 0 as `String(n)` would; returns where it ended. */
function digits(into: Buffer, at: number, n: number): number {
  if (!(n < exactDigits && Number.isInteger(n) && n >= 0)) return ascii(into, at, String(n));
  let end = at;
  for (let rest = n; ; rest = Math.floor(rest / 10)) {
    end++;
    if (rest < 10) break;
  }
  for (let i = end - 1, rest = n; i >= at; i--, rest = Math.floor(rest / 10)) into[i] = 0x30 + (rest % 10);
  return end;
}

/** The second last written and its text up to the milliseconds (isoTimeOfMs's cache, as bytes). */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** Writes `isoTimeOfMs(ms)`; returns where it ended. */
function isoTime(into: Buffer, at: number, ms: number): number {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = isoTimeOfMs(ms);
    cachedSecond = second;
    cachedPrefix = iso.slice(0, -4);
    return ascii(into, at, iso);
  }
  const end = ascii(into, at, cachedPrefix);
  const milli = ms - second * 1000;
  into[end] = 0x30 + Math.floor(milli / 100);
  into[end + 1] = 0x30 + (Math.floor(milli / 10) % 10);
  into[end + 2] = 0x30 + (milli % 10);
  into[end + 3] = 0x5a; // Z
  return end + 4;
}

/** The most bytes a call's part takes: the time, four numbers of up to 20 digits, the field names, colour codes. */
export const maxCallBytes = 256;

/** A request's call fields, as views carry them. */
export interface CallFields {
  readonly pid: number;
  readonly nsPid: number;
  readonly tid: number;
  readonly goid: number | undefined;
  readonly timeMs: number;
}

/** Writes `jsonCall(…)` of the call as bytes, without building the string; returns where it ended. */
export function writeJsonCall(into: Buffer, at: number, call: CallFields): number {
  let end = ascii(into, at, '{"time":"');
  end = isoTime(into, end, call.timeMs);
  end = digits(into, ascii(into, end, '","pid":'), call.pid);
  end = digits(into, ascii(into, end, ',"nsPid":'), call.nsPid);
  end = digits(into, ascii(into, end, ',"tid":'), call.tid);
  end = ascii(into, end, ',"goid":');
  end = call.goid === undefined ? ascii(into, end, 'null') : digits(into, end, call.goid);
  into[end] = 0x2c; // ,
  return end + 1;
}

/** Writes `textCall(…)` of the call as bytes; returns where it ended. */
export function writeTextCall(
  into: Buffer,
  at: number,
  call: CallFields,
  options: { timestamps: boolean; color: boolean },
): number {
  let end = at;
  if (options.timestamps) {
    if (options.color) end = ascii(into, end, '\x1b[2m');
    end = isoTime(into, end, call.timeMs);
    if (options.color) end = ascii(into, end, '\x1b[0m');
    into[end++] = 0x20;
  }
  end = digits(into, end, call.pid);
  into[end] = 0x20;
  return end + 1;
}
