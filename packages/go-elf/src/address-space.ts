import { GoElfError } from './go-elf-error.js';
import type { FileReader } from './file-reader.js';
import { PF_W, PF_X, PT_LOAD, type ProgramHeader } from './elf-header.js';
import { inputTooLarge } from './input-limits.js';

/** Maps link-time virtual addresses to file bytes through the PT_LOAD segments. */
export class AddressSpace {
  readonly segments: ProgramHeader[];

  constructor(
    private readonly reader: FileReader,
    programHeaders: ProgramHeader[],
  ) {
    this.segments = programHeaders.filter((p) => p.type === PT_LOAD);
    for (const s of this.segments) {
      if (s.offset + s.fileSizeBytes > reader.sizeBytes) {
        throw new GoElfError(
          'TRUNCATED',
          reader.path,
          `expected a PT_LOAD segment of ${s.fileSizeBytes} bytes at offset ${s.offset} inside the ${reader.sizeBytes}-byte file; the file is truncated`,
        );
      }
      if (!Number.isSafeInteger(s.vaddr + s.memorySizeBytes) || s.fileSizeBytes > s.memorySizeBytes) {
        throw new GoElfError(
          'CORRUPT',
          reader.path,
          `expected a PT_LOAD segment with p_filesz <= p_memsz, found ${s.fileSizeBytes} > ${s.memorySizeBytes}`,
        );
      }
    }
    if (this.segments.length === 0)
      throw new GoElfError('CORRUPT', reader.path, 'expected at least one PT_LOAD segment, found none');
  }

  get writableSegments(): ProgramHeader[] {
    return this.segments.filter((s) => s.flags & PF_W && !(s.flags & PF_X));
  }

  get readOnlyDataSegments(): ProgramHeader[] {
    return this.segments.filter((s) => !(s.flags & PF_W) && !(s.flags & PF_X));
  }

  /** The executable PT_LOAD containing `vaddr` (within its file-backed bytes), if any. */
  executableSegmentAt(vaddr: number): ProgramHeader | undefined {
    return this.segments.find((s) => s.flags & PF_X && vaddr >= s.vaddr && vaddr < s.vaddr + s.fileSizeBytes);
  }

  /** The file offset of `vaddr` when `length` bytes from it are file-backed in one segment. */
  fileOffsetOf(vaddr: number, length = 1): number | undefined {
    for (const s of this.segments) {
      if (vaddr >= s.vaddr && vaddr + length <= s.vaddr + s.fileSizeBytes) return s.offset + (vaddr - s.vaddr);
    }
    return undefined;
  }

  /** Reads up to `length` bytes at a virtual address, stopping at the end of its segment. */
  async readUpTo(vaddr: number, length: number, what = 'data'): Promise<Buffer> {
    const s = this.segments.find((seg) => vaddr >= seg.vaddr && vaddr < seg.vaddr + seg.memorySizeBytes);
    return this.read(vaddr, s ? Math.min(length, s.vaddr + s.memorySizeBytes - vaddr) : length, what);
  }

  /** Reads `length` bytes at a virtual address; bytes past p_filesz (bss) read as zero. */
  async read(vaddr: number, length: number, what = 'data'): Promise<Buffer> {
    const s = this.segments.find((seg) => vaddr >= seg.vaddr && vaddr < seg.vaddr + seg.memorySizeBytes);
    if (
      !s ||
      !Number.isSafeInteger(length) ||
      length < 0 ||
      length > this.reader.sizeBytes ||
      vaddr + length > s.vaddr + s.memorySizeBytes
    ) {
      throw new GoElfError(
        'CORRUPT',
        this.reader.path,
        `expected ${what} at virtual address 0x${vaddr.toString(16)} (+${length} bytes) inside one PT_LOAD segment, found none; the address is outside the program image`,
      );
    }
    const { limits } = this.reader;
    if (length > limits.maxReadBytes)
      throw inputTooLarge(this.reader.path, 'maxReadBytes', limits, `bytes of ${what} in one read`, length);
    const inFile = Math.max(0, Math.min(length, s.vaddr + s.fileSizeBytes - vaddr));
    const fileBytes = inFile > 0 ? await this.reader.read(s.offset + (vaddr - s.vaddr), inFile, what) : Buffer.alloc(0);
    if (inFile === length) return fileBytes;
    const out = Buffer.alloc(length);
    fileBytes.copy(out);
    return out;
  }
}
