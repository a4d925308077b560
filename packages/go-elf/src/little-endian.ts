import { GoElfError } from './go-elf-error.js';

/** Reads an unsigned 64-bit little-endian value as a JS number; values above 2^53 are corrupt input here. */
export function readU64(bytes: Buffer, offset: number, path: string, what: string): number {
  const low = bytes.readUInt32LE(offset);
  const high = bytes.readUInt32LE(offset + 4);
  if (high >= 0x200000) {
    throw new GoElfError(
      'CORRUPT',
      path,
      `expected ${what} below 2^53, found 0x${((BigInt(high) << 32n) | BigInt(low)).toString(16)}; the file is corrupt or not a supported binary`,
    );
  }
  return high * 0x1_0000_0000 + low;
}
