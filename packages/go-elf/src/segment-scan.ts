import type { ProgramHeader } from './elf-header.js';
import type { FileReader } from './file-reader.js';

const chunkBytes = 4 << 20;

/**
 * Yields the virtual addresses (aligned to `alignment`) where `pattern` occurs in the file-backed
 * bytes of a segment. Reads in large chunks; Buffer.indexOf does the byte search natively.
 */
export async function* scanSegment(
  reader: FileReader,
  segment: ProgramHeader,
  pattern: Buffer,
  alignment: number,
): AsyncGenerator<number> {
  const end = segment.offset + segment.fileSizeBytes;
  for (let start = segment.offset; start < end; start += chunkBytes) {
    const length = Math.min(chunkBytes + pattern.length - 1, end - start);
    if (length < pattern.length) return;
    const chunk = await reader.read(start, length, 'segment');
    for (let at = chunk.indexOf(pattern); at >= 0 && at < chunkBytes; at = chunk.indexOf(pattern, at + 1)) {
      const vaddr = segment.vaddr + (start - segment.offset) + at;
      if (vaddr % alignment === 0) yield vaddr;
    }
  }
}
