import { OffsetsError } from '../offsets-error.js';
import { type DwarfBudget, type DwarfLimits, dwarfTooLarge } from './dwarf-budget.js';

/** Little-endian cursor over a DWARF section; every out-of-bounds read is DWARF_CORRUPT, never a RangeError. */
export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
    readonly end = buf.length,
    readonly section = '.debug_info',
  ) {
    this.pos = pos;
  }

  corrupt(what: string): OffsetsError {
    return new OffsetsError('DWARF_CORRUPT', `${this.section} is corrupt at offset ${this.pos}: ${what}.`);
  }

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at < 0 || at + n > this.end) throw this.corrupt(`needs ${n} more bytes, ${this.end - at} left`);
    this.pos = at + n;
    return at;
  }

  skip(n: number): void {
    this.need(n);
  }

  u8(): number {
    return this.buf[this.need(1)]!;
  }

  u16(): number {
    return this.buf.readUInt16LE(this.need(2));
  }

  u24(): number {
    const at = this.need(3);
    return this.buf.readUInt16LE(at) | (this.buf[at + 2]! << 16);
  }

  u32(): number {
    return this.buf.readUInt32LE(this.need(4));
  }

  u64(): number {
    const value = this.buf.readBigUInt64LE(this.need(8));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw this.corrupt(`64-bit value ${value} is too large`);
    return Number(value);
  }

  /** A section offset: 4 bytes in 32-bit DWARF, 8 in 64-bit DWARF. */
  offset(offsetSize: 4 | 8): number {
    return offsetSize === 4 ? this.u32() : this.u64();
  }

  /** Skips a LEB128 number without decoding it: constants (DW_AT_const_value…) may exceed 2^53. */
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.u8() & 0x80) === 0) return;
    throw this.corrupt('LEB128 value longer than 10 bytes');
  }

  uleb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw this.corrupt('LEB128 value is too large');
        return result;
      }
      scale *= 128;
    }
    throw this.corrupt('LEB128 value longer than 10 bytes');
  }

  sleb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) {
        if (byte & 0x40) result -= scale;
        if (!Number.isSafeInteger(result)) throw this.corrupt('LEB128 value is too large');
        return result;
      }
    }
    throw this.corrupt('LEB128 value longer than 10 bytes');
  }

  /** Skips a NUL-terminated string of at most `limits.maxStringBytes` bytes; returns where its NUL is. */
  skipCstring(limits: DwarfLimits): number {
    const start = this.pos;
    // Searched only up to the limit and the end of this reader: never across the rest of the section.
    const stop = Math.min(this.end, start + limits.maxStringBytes + 1);
    const nul = start < stop ? this.buf.subarray(start, stop).indexOf(0) : -1;
    if (nul < 0) {
      if (stop < this.end) throw dwarfTooLarge('maxStringBytes', limits, 'bytes in one string', stop - start);
      throw this.corrupt('unterminated string');
    }
    this.pos = start + nul + 1;
    return start + nul;
  }

  /** A NUL-terminated UTF-8 string, counted against the budget. */
  cstring(budget: DwarfBudget): string {
    const start = this.pos;
    const nul = this.skipCstring(budget.limits);
    budget.string(nul - start);
    return this.buf.toString('utf8', start, nul);
  }
}

/** The NUL-terminated string at `offset` of a string section (.debug_str, .debug_line_str). */
export function stringAt(section: Buffer | undefined, offset: number, name: string, budget: DwarfBudget): string {
  if (!section) throw new OffsetsError('DWARF_CORRUPT', `a string refers to ${name}, which was not supplied.`);
  if (offset >= section.length)
    throw new OffsetsError('DWARF_CORRUPT', `string offset ${offset} is outside ${name} (${section.length} bytes).`);
  return new ByteReader(section, offset, section.length, name).cstring(budget);
}
