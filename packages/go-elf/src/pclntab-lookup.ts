import { GoElfError } from './go-elf-error.js';
import type { ElfImage } from './elf-image.js';
import type { PclntabHeader } from './pclntab-header.js';
import { findModuleData, readModuleText } from './module-data.js';
import { readU64 } from './little-endian.js';

export interface PclntabFunction {
  entry: number;
  /** Entry of the next function in functab, so it includes alignment padding. */
  end: number;
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
 * then scan functab for the _func whose nameOff points there.
 */
export async function findFunctionInPclntab(
  image: ElfImage,
  tab: PclntabHeader,
  textStart: number,
  name: string,
): Promise<PclntabFunction | undefined> {
  const path = image.path;
  const names = await image.space.read(tab.namesVaddr, tab.namesLimit - tab.namesVaddr, 'pclntab function names');
  const needle = Buffer.from(`${name}\0`, 'utf8');
  const nameOffsets = new Set<number>();
  for (let at = names.indexOf(needle); at >= 0; at = names.indexOf(needle, at + 1)) nameOffsets.add(at);
  if (nameOffsets.size === 0) return undefined;

  const wide = tab.functabEntryBytes === 16;
  const count = tab.functionCount;
  const functab = await image.space.read(tab.functabVaddr, (count + 1) * tab.functabEntryBytes, 'functab');
  const funcoffAt = (i: number) =>
    wide ? readU64(functab, i * 16 + 8, path, 'functab funcoff') : functab.readUInt32LE(i * 8 + 4);
  let maxFuncoff = 0;
  for (let i = 0; i < count; i++) maxFuncoff = Math.max(maxFuncoff, funcoffAt(i));
  const nameField = wide ? 8 : 4;
  if (tab.funcDataVaddr + maxFuncoff + nameField + 4 > tab.limit) {
    throw new GoElfError(
      'CORRUPT',
      path,
      `expected every _func inside the pclntab, found a funcoff of ${maxFuncoff}; the pclntab is corrupt`,
    );
  }
  const funcs = await image.space.read(tab.funcDataVaddr, maxFuncoff + nameField + 4, 'pclntab _func records');
  for (let i = 0; i < count; i++) {
    const funcoff = funcoffAt(i);
    if (!nameOffsets.has(funcs.readInt32LE(funcoff + nameField))) continue;
    return wide ? absoluteEntry(image, tab, i, funcoff) : relativeEntry(image, functab, funcs, i, funcoff, textStart);
  }
  return undefined;
}

async function relativeEntry(
  image: ElfImage,
  functab: Buffer,
  funcs: Buffer,
  i: number,
  funcoff: number,
  textStart: number,
): Promise<PclntabFunction> {
  const entryOffset = functab.readUInt32LE(i * 8);
  const nextOffset = functab.readUInt32LE(i * 8 + 8);
  // Round trip: _func.entryOff must repeat functab's entry offset.
  const funcEntryOffset = funcs.readUInt32LE(funcoff);
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
): Promise<PclntabFunction> {
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
