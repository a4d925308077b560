import { promisify } from 'node:util';
import { inflate as inflateCallback } from 'node:zlib';
import { GoElfError } from './go-elf-error.js';
import type { FileReader } from './file-reader.js';
import type { ElfHeader } from './elf-header.js';
import { inputTooLarge } from './input-limits.js';
import { readU64 } from './little-endian.js';

const inflateAsync = promisify(inflateCallback);

export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
// zlib cannot expand data by more than about 1032:1; a larger claimed size is a corrupt header.
const maxInflateRatio = 1100;
// Output grows in chunks handed back to the event loop one by one: fewer, larger ones finish sooner.
const inflateChunkBytes = 1 << 20;

export interface SectionHeader {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  sizeBytes: number;
  link: number;
  entrySizeBytes: number;
}

export async function readSectionHeaders(reader: FileReader, header: ElfHeader): Promise<SectionHeader[]> {
  const { sectionCount: count, sectionEntrySizeBytes: entrySize, sectionTableOffset } = header;
  if (count === 0) return [];
  const path = reader.path;
  const table = await reader.read(sectionTableOffset, count * entrySize, 'section header table');
  const raw = [];
  for (let i = 0; i < count; i++) {
    const at = i * entrySize;
    raw.push({
      nameOffset: table.readUInt32LE(at),
      type: table.readUInt32LE(at + 4),
      flags: Number(table.readBigUInt64LE(at + 8) & 0xffffffffn),
      addr: readU64(table, at + 16, path, 'sh_addr'),
      offset: readU64(table, at + 24, path, 'sh_offset'),
      sizeBytes: readU64(table, at + 32, path, 'sh_size'),
      link: table.readUInt32LE(at + 40),
      entrySizeBytes: readU64(table, at + 56, path, 'sh_entsize'),
    });
  }
  const namesHeader = raw[header.sectionNamesIndex];
  if (!namesHeader || namesHeader.type === SHT_NOBITS) {
    throw new GoElfError(
      'CORRUPT',
      path,
      `expected the section-name table at index ${header.sectionNamesIndex} of ${count} sections, found none; the section headers are corrupt`,
    );
  }
  const { limits } = reader;
  if (namesHeader.sizeBytes > limits.maxSectionNameTableBytes)
    throw inputTooLarge(path, 'maxSectionNameTableBytes', limits, 'bytes of section names', namesHeader.sizeBytes);
  const names = await reader.read(namesHeader.offset, namesHeader.sizeBytes, 'section-name table');
  return raw.map(({ nameOffset, ...rest }) => {
    if (nameOffset >= names.length) return { name: '', ...rest };
    // Searched in a bounded window: one unterminated name must not make every lookup scan the whole table.
    const end = Math.min(names.length, nameOffset + limits.maxNameBytes + 1);
    const nul = names.subarray(nameOffset, end).indexOf(0);
    if (nul < 0 && end < names.length)
      throw inputTooLarge(path, 'maxNameBytes', limits, 'bytes in a section name', names.length - nameOffset);
    return { name: names.toString('latin1', nameOffset, nul < 0 ? end : nameOffset + nul), ...rest };
  });
}

/** Bytes inflated so far for one file: the limit holds for all its sections together. */
export interface InflateTally {
  inflatedBytes: number;
}

/** Reads a section's bytes, inflating SHF_COMPRESSED (ELFCOMPRESS_ZLIB) and legacy `.zdebug_*` sections. */
export async function readSectionData(
  reader: FileReader,
  section: SectionHeader,
  tally: InflateTally,
): Promise<Buffer> {
  if (section.type === SHT_NOBITS) return Buffer.alloc(0);
  const stored = await reader.read(section.offset, section.sizeBytes, `section ${section.name}`);
  if (section.flags & SHF_COMPRESSED) {
    if (stored.length < 24) throw corrupt(reader.path, section, 'a 24-byte compression header');
    const kind = stored.readUInt32LE(0);
    if (kind !== ELFCOMPRESS_ZLIB) {
      throw new GoElfError(
        'CORRUPT',
        reader.path,
        `expected section ${section.name} compressed with zlib (1), found compression type ${kind}; decompress it with objcopy --decompress-debug-sections`,
      );
    }
    return inflate(reader, section, stored.subarray(24), readU64(stored, 8, reader.path, 'ch_size'), tally);
  }
  if (section.name.startsWith('.zdebug_') && stored.length >= 12 && stored.toString('latin1', 0, 4) === 'ZLIB') {
    const size = Number(stored.readBigUInt64BE(4));
    return inflate(reader, section, stored.subarray(12), size, tally);
  }
  return Buffer.from(stored);
}

async function inflate(
  reader: FileReader,
  section: SectionHeader,
  compressed: Buffer,
  sizeBytes: number,
  tally: InflateTally,
): Promise<Buffer> {
  const { path, limits } = reader;
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes > compressed.length * maxInflateRatio + 1024) {
    throw corrupt(
      path,
      section,
      `an uncompressed size consistent with ${compressed.length} compressed bytes, found ${sizeBytes}`,
    );
  }
  if (tally.inflatedBytes + sizeBytes > limits.maxDecompressedBytes) {
    const what = `uncompressed bytes of debug sections (${section.name} adds ${sizeBytes})`;
    throw inputTooLarge(path, 'maxDecompressedBytes', limits, what, tally.inflatedBytes + sizeBytes);
  }
  tally.inflatedBytes += sizeBytes;
  let out: Buffer;
  try {
    // maxOutputLength stops a stream that inflates to more than it claims; async keeps the event loop free.
    out = await inflateAsync(compressed, { maxOutputLength: Math.max(1, sizeBytes), chunkSize: inflateChunkBytes });
  } catch (cause) {
    throw new GoElfError(
      'CORRUPT',
      path,
      `expected zlib data in section ${section.name}, inflating failed; the section is corrupt`,
      cause,
    );
  }
  if (out.length !== sizeBytes) throw corrupt(path, section, `${sizeBytes} uncompressed bytes, found ${out.length}`);
  return out;
}

function corrupt(path: string, section: SectionHeader, expected: string): GoElfError {
  return new GoElfError('CORRUPT', path, `expected ${expected} in section ${section.name}; the section is corrupt`);
}
