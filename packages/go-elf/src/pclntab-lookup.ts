import { GoElfError } from './go-elf-error.js';
import type { ElfImage } from './elf-image.js';
import type { PclntabHeader } from './pclntab-header.js';
import { findModuleData, readModuleText } from './module-data.js';
import { inputTooLarge } from './input-limits.js';
import { readU64 } from './little-endian.js';
import { findAllInFile } from './segment-scan.js';

export interface PclntabFunction {
  entry: number;
  /** Entry of the next function in functab, so it includes alignment padding. */
  end: number;
  /** Where its _func record is, relative to `PclntabHeader.funcDataVaddr`. */
  funcoff: number;
}

/**
 * The address functab entry offsets are relative to (Go 1.18+): moduledata.text, which the runtime itself
 * uses (`textOff`), cross-checked with minpc and with pcHeader.textStart when stored. Go 1.26 stopped
 * storing textStart in the header, so there moduledata is required.
 */
export async function resolveTextStart(image: ElfImage, tab: PclntabHeader): Promise<number> {
  if (tab.format === 'go1.2' || tab.format === 'go1.16') return 0;
  const firstEntryOffset = (await image.space.read(tab.functabVaddr, 4, 'functab')).readUInt32LE(0);
  const moduleData = await findModuleData(image, tab);
  if (moduleData !== undefined) {
    const { text, minpc } = await readModuleText(image, moduleData);
    if (text + firstEntryOffset !== minpc || (tab.headerTextStart !== 0 && tab.headerTextStart !== text)) {
      throw new GoElfError(
        'CORRUPT',
        image.path,
        `expected moduledata.text (0x${text.toString(16)}) + the first function offset to equal minpc (0x${minpc.toString(16)}) and pcHeader.textStart (0x${tab.headerTextStart.toString(16)}); the runtime tables disagree`,
      );
    }
    return text;
  }
  if (tab.headerTextStart !== 0) return tab.headerTextStart;
  throw new GoElfError(
    'CORRUPT',
    image.path,
    'expected the text start in runtime.firstmoduledata or pcHeader.textStart, found neither; cannot compute function addresses without guessing',
  );
}

/**
 * Finds a function by exact name without decoding every function: locate `name\0` in the name table,
 * then scan functab for the _func whose nameOff points there. Tables are read in bounded pieces: functab
 * in chunks, the _func records through a window that slides forward (cmd/link writes them in functab order).
 */
export async function findFunctionInPclntab(
  image: ElfImage,
  tab: PclntabHeader,
  textStart: number,
  name: string,
): Promise<PclntabFunction | undefined> {
  const { path, reader } = image;
  const namesBytes = tab.namesLimit - tab.namesVaddr;
  const namesOffset = image.space.fileOffsetOf(tab.namesVaddr, namesBytes);
  if (namesOffset === undefined)
    throw new GoElfError('CORRUPT', path, 'expected the pclntab function names in the file, found them outside');
  const needle = Buffer.from(`${name}\0`, 'utf8');
  const nameOffsets = await findAllInFile(reader, namesOffset, namesBytes, needle, `${name} in the pclntab`);
  if (nameOffsets.size === 0) return undefined;

  const wide = tab.functabEntryBytes === 16;
  const nameField = wide ? 8 : 4;
  const recordBytes = nameField + 4;
  const funcsLimit = tab.limit - tab.funcDataVaddr;
  const records = new RecordWindow(image, tab.funcDataVaddr, funcsLimit);
  for (let first = 0; first < tab.functionCount; first += functabChunkEntries) {
    const n = Math.min(functabChunkEntries, tab.functionCount - first);
    const functab = await image.space.read(
      tab.functabVaddr + first * tab.functabEntryBytes,
      (n + 1) * tab.functabEntryBytes,
      'functab',
    );
    for (let j = 0; j < n; j++) {
      const funcoff = wide ? readU64(functab, j * 16 + 8, path, 'functab funcoff') : functab.readUInt32LE(j * 8 + 4);
      if (funcoff + recordBytes > funcsLimit) {
        throw new GoElfError(
          'CORRUPT',
          path,
          `expected every _func inside the pclntab, found a funcoff of ${funcoff}; the pclntab is corrupt`,
        );
      }
      const record = records.covers(funcoff, recordBytes) ?? (await records.load(funcoff));
      if (!nameOffsets.has(record.readInt32LE(nameField))) continue;
      const found = wide
        ? await absoluteEntry(image, tab, first + j, funcoff)
        : await relativeEntry(image, functab, record, j, textStart);
      return { ...found, funcoff };
    }
  }
  return undefined;
}

const functabChunkEntries = 1 << 16;
const recordWindowBytes = 1 << 20;

/** The _func records seen through a 1 MiB window; rereading more than maxReadBytes in all is refused. */
class RecordWindow {
  private start = 0;
  private bytes: Buffer = Buffer.alloc(0);
  private bytesRead = 0;

  constructor(
    private readonly image: ElfImage,
    private readonly vaddr: number,
    private readonly limit: number,
  ) {}

  /** The record at `funcoff` when the window holds `length` bytes of it. */
  covers(funcoff: number, length: number): Buffer | undefined {
    const at = funcoff - this.start;
    return at >= 0 && at + length <= this.bytes.length ? this.bytes.subarray(at) : undefined;
  }

  async load(funcoff: number): Promise<Buffer> {
    const length = Math.min(recordWindowBytes, this.limit - funcoff);
    const { limits } = this.image.reader;
    // In order, the records are read once; out of order, each jump rereads a window.
    this.bytesRead += length;
    if (this.bytesRead > limits.maxReadBytes) {
      const what = 'bytes of _func records read (their funcoffs jump back and forth)';
      throw inputTooLarge(this.image.path, 'maxReadBytes', limits, what, this.bytesRead);
    }
    this.start = funcoff;
    this.bytes = await this.image.space.read(this.vaddr + funcoff, length, 'pclntab _func records');
    return this.bytes;
  }
}

async function relativeEntry(
  image: ElfImage,
  functab: Buffer,
  record: Buffer,
  j: number,
  textStart: number,
): Promise<Omit<PclntabFunction, 'funcoff'>> {
  const entryOffset = functab.readUInt32LE(j * 8);
  const nextOffset = functab.readUInt32LE(j * 8 + 8);
  // Round trip: _func.entryOff must repeat functab's entry offset.
  const funcEntryOffset = record.readUInt32LE(0);
  if (funcEntryOffset !== entryOffset || nextOffset <= entryOffset) {
    throw new GoElfError(
      'CORRUPT',
      image.path,
      `expected _func.entryOff ${funcEntryOffset} to equal functab's ${entryOffset} and precede the next entry ${nextOffset}; the pclntab is corrupt`,
    );
  }
  return { entry: textStart + entryOffset, end: textStart + nextOffset };
}

async function absoluteEntry(
  image: ElfImage,
  tab: PclntabHeader,
  i: number,
  funcoff: number,
): Promise<Omit<PclntabFunction, 'funcoff'>> {
  const entry = await image.readPointer(tab.functabVaddr + i * 16, 'functab entry');
  const end = await image.readPointer(tab.functabVaddr + (i + 1) * 16, 'functab entry');
  const funcEntry = await image.readPointer(tab.funcDataVaddr + funcoff, '_func.entry');
  if (funcEntry !== entry || end <= entry) {
    throw new GoElfError(
      'CORRUPT',
      image.path,
      `expected _func.entry 0x${funcEntry.toString(16)} to equal functab's 0x${entry.toString(16)} and precede the next entry 0x${end.toString(16)}; the pclntab is corrupt`,
    );
  }
  return { entry, end };
}
