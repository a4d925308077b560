import type { ElfImage } from './elf-image.js';
import { SHT_SYMTAB } from './elf-sections.js';
import { inputTooLarge } from './input-limits.js';
import { readU64 } from './little-endian.js';
import { findAllInFile } from './segment-scan.js';

const STT_FUNC = 2;
const symbolBytes = 24;
const symbolsPerChunk = 1 << 16;

/**
 * Looks up a function symbol in `.symtab` by exact name: find `name\0` in the string table, then the
 * symbol naming it. Both tables are read in chunks, so a table as large as the file costs time, not memory.
 */
export async function findFunctionInSymtab(
  image: ElfImage,
  name: string,
): Promise<{ entry: number; sizeBytes: number } | undefined> {
  const symtab = image.sections.find((s) => s.type === SHT_SYMTAB);
  const strtab = symtab ? image.sections[symtab.link] : undefined;
  if (!symtab || !strtab) return undefined;
  const { reader } = image;
  const needle = Buffer.from(`${name}\0`, 'utf8');
  const nameOffsets = await findAllInFile(reader, strtab.offset, strtab.sizeBytes, needle, `${name} in .strtab`);
  if (nameOffsets.size === 0) return undefined;
  const count = Math.floor(symtab.sizeBytes / symbolBytes);
  if (count > reader.limits.maxSymbols)
    throw inputTooLarge(image.path, 'maxSymbols', reader.limits, 'symbols in .symtab', count);
  for (let first = 0; first < count; first += symbolsPerChunk) {
    const n = Math.min(symbolsPerChunk, count - first);
    const symbols = await reader.read(symtab.offset + first * symbolBytes, n * symbolBytes, '.symtab');
    for (let at = 0; at < symbols.length; at += symbolBytes) {
      if (!nameOffsets.has(symbols.readUInt32LE(at))) continue;
      if ((symbols[at + 4]! & 0xf) !== STT_FUNC || symbols.readUInt16LE(at + 6) === 0) continue;
      return {
        entry: readU64(symbols, at + 8, image.path, 'st_value'),
        sizeBytes: readU64(symbols, at + 16, image.path, 'st_size'),
      };
    }
  }
  return undefined;
}
