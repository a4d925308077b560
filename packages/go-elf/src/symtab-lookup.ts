import type { ElfImage } from './elf-image.js';
import { SHT_SYMTAB } from './elf-sections.js';
import { readU64 } from './little-endian.js';

const STT_FUNC = 2;
const symbolBytes = 24;

/** Looks up a function symbol in `.symtab` by exact name: find `name\0` in the string table, then the symbol naming it. */
export async function findFunctionInSymtab(
  image: ElfImage,
  name: string,
): Promise<{ entry: number; sizeBytes: number } | undefined> {
  const symtab = image.sections.find((s) => s.type === SHT_SYMTAB);
  const strtab = symtab ? image.sections[symtab.link] : undefined;
  if (!symtab || !strtab) return undefined;
  const strings = await image.reader.read(strtab.offset, strtab.sizeBytes, '.strtab');
  const needle = Buffer.from(`${name}\0`, 'utf8');
  const nameOffsets = new Set<number>();
  for (let at = strings.indexOf(needle); at >= 0; at = strings.indexOf(needle, at + 1)) nameOffsets.add(at);
  if (nameOffsets.size === 0) return undefined;
  const symbols = await image.reader.read(
    symtab.offset,
    symtab.sizeBytes - (symtab.sizeBytes % symbolBytes),
    '.symtab',
  );
  for (let at = 0; at + symbolBytes <= symbols.length; at += symbolBytes) {
    if (!nameOffsets.has(symbols.readUInt32LE(at))) continue;
    if ((symbols[at + 4]! & 0xf) !== STT_FUNC || symbols.readUInt16LE(at + 6) === 0) continue;
    return {
      entry: readU64(symbols, at + 8, image.path, 'st_value'),
      sizeBytes: readU64(symbols, at + 16, image.path, 'st_size'),
    };
  }
  return undefined;
}
