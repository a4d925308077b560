import type { ProgramHeader } from './elf-header.js';
import type { FileReader } from './file-reader.js';
import { inputTooLarge } from './input-limits.js';

const chunkBytes = 4 << 20;

/**
 * Yields the file offsets in [offset, offset + length) where `pattern` starts and `keep` agrees, reading
 * 4 MB chunks: memory stays bounded however large the range claims to be. Buffer.indexOf does the byte
 * search natively, and rejected matches cost no await.
 */
export async function* scanFile(
  reader: FileReader,
  offset: number,
  length: number,
  pattern: Buffer,
  keep: (fileOffset: number) => boolean = () => true,
): AsyncGenerator<number> {
  const end = offset + length;
  for (let start = offset; start < end; start += chunkBytes) {
    const size = Math.min(chunkBytes + pattern.length - 1, end - start);
    if (size < pattern.length) return;
    const chunk = await reader.read(start, size, 'scanned range');
    const found: number[] = [];
    for (let at = chunk.indexOf(pattern); at >= 0 && at < chunkBytes; at = chunk.indexOf(pattern, at + 1)) {
      if (keep(start + at)) found.push(start + at);
    }
    yield* found;
  }
}

/**
 * Yields the virtual addresses `vaddr` (aligned to `alignment`) where `pattern` occurs at
 * `vaddr + patternOffset` in the file-backed bytes of a segment.
 */
export async function* scanSegment(
  reader: FileReader,
  segment: ProgramHeader,
  pattern: Buffer,
  alignment: number,
  patternOffset = 0,
): AsyncGenerator<number> {
  const toVaddr = (fileOffset: number) => segment.vaddr + (fileOffset - segment.offset) - patternOffset;
  const aligned = (fileOffset: number) => {
    const vaddr = toVaddr(fileOffset);
    return vaddr >= segment.vaddr && vaddr % alignment === 0;
  };
  for await (const at of scanFile(reader, segment.offset, segment.fileSizeBytes, pattern, aligned)) yield toVaddr(at);
}

/** Every offset (relative to `offset`) where `needle` occurs in the range; more than maxCandidates is refused. */
export async function findAllInFile(
  reader: FileReader,
  offset: number,
  length: number,
  needle: Buffer,
  what: string,
): Promise<Set<number>> {
  const found = new Set<number>();
  for await (const at of scanFile(reader, offset, length, needle)) {
    found.add(at - offset);
    if (found.size > reader.limits.maxCandidates)
      throw inputTooLarge(reader.path, 'maxCandidates', reader.limits, `occurrences of ${what}`, found.size);
  }
  return found;
}
