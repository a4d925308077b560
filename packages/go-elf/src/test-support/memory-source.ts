import { FileReader, type ByteSource } from '../file-reader.js';
import { GoBinary } from '../go-binary.js';

/**
 * Bytes held in memory, optionally with single-byte patches and a truncated length, so the fuzzer can
 * mutate a multi-megabyte fixture without copying it per input. A size beyond the bytes reads as zeros,
 * like the hole of a sparse file.
 */
export class MemorySource implements ByteSource {
  constructor(
    private readonly base: Buffer,
    readonly sizeBytes = base.length,
    private readonly patches: ReadonlyMap<number, number> = new Map(),
  ) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    const end = Math.min(this.sizeBytes, position + length);
    if (position >= end) return { bytesRead: 0 };
    const copied = this.base.copy(buffer, offset, position, end);
    buffer.fill(0, offset + copied, offset + end - position);
    for (const [at, value] of this.patches) if (at >= position && at < end) buffer[offset + at - position] = value;
    return { bytesRead: end - position };
  }

  async close(): Promise<void> {}
}

export function openBytes(bytes: Buffer, path = 'memory'): Promise<GoBinary> {
  return GoBinary.fromReader(new FileReader(new MemorySource(bytes), path, bytes.length));
}
