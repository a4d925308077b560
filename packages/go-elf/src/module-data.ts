import { GoElfError } from './go-elf-error.js';
import type { ElfImage } from './elf-image.js';
import type { PclntabHeader } from './pclntab-header.js';
import { inputTooLarge } from './input-limits.js';
import { scanSegment } from './segment-scan.js';

// runtime.moduledata (src/runtime/symtab.go, identical prefix in Go 1.16–1.27 on 64-bit):
// pcHeader *pcHeader @0; funcnametab, cutab, filetab, pctab, pclntable []byte @8..128; ftab []functab @128;
// findfunctab @152; minpc @160; maxpc @168; text @176.
const funcnametabField = 8;
const ftabField = 128;
const minpcField = 160;
const textField = 176;

/**
 * Finds runtime.firstmoduledata for a Go 1.16+ pclntab: the `.go.module` section (Go 1.26+), else the
 * aligned word in a writable segment (or, in a PIE, the RELATIVE relocation) whose value is the pcHeader
 * address. A candidate counts only when its funcnametab and ftab pointers agree with the header.
 */
export async function findModuleData(image: ElfImage, tab: PclntabHeader): Promise<number | undefined> {
  const candidates: number[] = [];
  const section = image.section('.go.module');
  if (section && section.addr !== 0) candidates.push(section.addr);
  const word = Buffer.alloc(8);
  word.writeBigUInt64LE(BigInt(tab.vaddr));
  const { limits } = image.reader;
  const tooMany = () =>
    inputTooLarge(image.path, 'maxCandidates', limits, 'words pointing at the pclntab header', candidates.length);
  for (const segment of image.space.writableSegments) {
    for await (const vaddr of scanSegment(image.reader, segment, word, 8)) {
      candidates.push(vaddr);
      if (candidates.length > limits.maxCandidates) throw tooMany();
    }
  }
  if (image.isPie) {
    candidates.push(...(await image.relocations()).sitesWithAddend(tab.vaddr, limits.maxCandidates));
    if (candidates.length > limits.maxCandidates) throw tooMany();
  }
  for (const vaddr of candidates) {
    try {
      if ((await image.readPointer(vaddr, 'moduledata.pcHeader')) !== tab.vaddr) continue;
      if ((await image.readPointer(vaddr + funcnametabField, 'moduledata.funcnametab')) !== tab.namesVaddr) continue;
      if ((await image.readPointer(vaddr + ftabField, 'moduledata.ftab')) !== tab.functabVaddr) continue;
      return vaddr;
    } catch (error) {
      if (!GoElfError.isInstance(error)) throw error;
    }
  }
  return undefined;
}

/** moduledata.text and moduledata.minpc (link-time values). */
export async function readModuleText(image: ElfImage, moduleData: number): Promise<{ text: number; minpc: number }> {
  return {
    text: await image.readPointer(moduleData + textField, 'moduledata.text'),
    minpc: await image.readPointer(moduleData + minpcField, 'moduledata.minpc'),
  };
}
