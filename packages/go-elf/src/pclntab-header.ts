import { GoElfError } from './go-elf-error.js';
import type { ElfImage } from './elf-image.js';
import type { ProgramHeader } from './elf-header.js';
import { inputTooLarge } from './input-limits.js';
import { readU64 } from './little-endian.js';
import { scanSegment } from './segment-scan.js';

/** pclntab layouts by magic (`src/internal/abi/symtab.go`, `debug/gosym/pclntab.go`). */
export type PclntabFormat = 'go1.2' | 'go1.16' | 'go1.18' | 'go1.20';

const formatsByMagic = new Map<number, PclntabFormat>([
  [0xfffffffb, 'go1.2'],
  [0xfffffffa, 'go1.16'],
  [0xfffffff0, 'go1.18'],
  [0xfffffff1, 'go1.20'],
]);

export interface PclntabHeader {
  format: PclntabFormat;
  /** Virtual address of the header (runtime.pcHeader, or runtime.pclntab before 1.16). */
  vaddr: number;
  /** One past the last byte the table may occupy: its section end, else its segment's file-backed end. */
  limit: number;
  functionCount: number;
  /** Where names live: funcnametab (1.16+) or the table itself (1.2), and its end. */
  namesVaddr: number;
  namesLimit: number;
  /** functab: nfunc+1 (entry, funcoff) pairs; funcoff is relative to `funcDataVaddr`. */
  functabVaddr: number;
  functabEntryBytes: number;
  funcDataVaddr: number;
  /** pcHeader.textStart (1.18+), link-time value after relocation; 0 when not stored (Go 1.26+). */
  headerTextStart: number;
  /** What a _func's pc-value table offsets (pcsp, …) are relative to: pctab (1.16+), else the table itself. */
  pctabVaddr: number;
  /** The instruction size unit of pc deltas in pc-value tables (minLC): 1 on amd64, 4 on arm64. */
  pcQuantum: number;
}

/** Finds pclntab by section (`.gopclntab`, PIE `.data.rel.ro.gopclntab`) or by magic scan of PT_LOADs. */
export async function findPclntab(image: ElfImage): Promise<PclntabHeader | undefined> {
  for (const name of ['.gopclntab', '.data.rel.ro.gopclntab']) {
    const section = image.section(name);
    if (section && section.addr !== 0) return parsePclntabHeader(image, section.addr, section.addr + section.sizeBytes);
  }
  // Sections gone: look at 8-byte alignment for magic, 0, 0 and plausible minLC/ptrSize (as debug/gosym would accept).
  const tail = Buffer.from([0xff, 0xff, 0xff, 0, 0]);
  const segments: ProgramHeader[] = [...image.space.readOnlyDataSegments, ...image.space.writableSegments];
  const { limits } = image.reader;
  let candidates = 0;
  for (const segment of segments) {
    const end = segment.vaddr + segment.fileSizeBytes;
    for await (const vaddr of scanSegment(image.reader, segment, tail, 8, 1)) {
      const head = await image.space.read(vaddr, 8, 'pclntab candidate');
      if (!formatsByMagic.has(head.readUInt32LE(0)) || ![1, 2, 4].includes(head[6]!) || head[7] !== 8) continue;
      if (++candidates > limits.maxCandidates)
        throw inputTooLarge(
          image.path,
          'maxCandidates',
          limits,
          'pclntab candidates without section headers',
          candidates,
        );
      try {
        return await parsePclntabHeader(image, vaddr, end);
      } catch (error) {
        if (!GoElfError.isInstance(error)) throw error;
      }
    }
  }
  return undefined;
}

export async function parsePclntabHeader(image: ElfImage, vaddr: number, sectionLimit: number): Promise<PclntabHeader> {
  const path = image.path;
  const segment = image.space.segments.find((s) => vaddr >= s.vaddr && vaddr < s.vaddr + s.fileSizeBytes);
  if (!segment) throw corrupt(path, `the pclntab at 0x${vaddr.toString(16)} inside a file-backed PT_LOAD`, 'none');
  const limit = Math.min(sectionLimit, segment.vaddr + segment.fileSizeBytes);
  const head = await image.space.read(vaddr, Math.min(72, limit - vaddr), 'pclntab header');
  if (head.length < 16) throw corrupt(path, 'a pclntab header of at least 16 bytes', `${head.length}`);
  const magic = head.readUInt32LE(0);
  const format = formatsByMagic.get(magic);
  if (!format || head[4] !== 0 || head[5] !== 0)
    throw corrupt(
      path,
      'a pclntab magic 0xfffffffb/fa/f0/f1 followed by 0, 0',
      `0x${magic.toString(16)}, ${head[4]}, ${head[5]}`,
    );
  if (![1, 2, 4].includes(head[6]!) || head[7] !== 8)
    throw corrupt(path, 'pclntab minLC 1, 2 or 4 and pointer size 8', `${head[6]} and ${head[7]}`);
  const functionCount = readU64(head, 8, path, 'nfunc');
  const size = limit - vaddr;

  let namesOffset: number;
  let namesEnd: number;
  let functabOffset: number;
  let funcDataOffset: number;
  let headerTextStart = 0;
  let pctabOffset = 0;
  if (format === 'go1.2') {
    namesOffset = 0;
    namesEnd = size;
    functabOffset = 16;
    funcDataOffset = 0;
  } else {
    const fields = format === 'go1.16' ? 16 : 24; // 1.18 inserted textStart after nfiles
    if (head.length < fields + 48) throw corrupt(path, 'a complete pcHeader', `${head.length} bytes`);
    const offsets = [0, 1, 2, 3, 4].map((i) => readU64(head, fields + 8 + i * 8, path, 'pcHeader offset'));
    const [funcname, cu, filetab, pctab, pcln] = offsets as [number, number, number, number, number];
    if (
      !(fields + 48 <= funcname && funcname <= cu && cu <= filetab && filetab <= pctab && pctab <= pcln && pcln < size)
    ) {
      throw corrupt(path, `ordered pcHeader offsets inside the ${size}-byte table`, offsets.join(', '));
    }
    namesOffset = funcname;
    namesEnd = cu;
    functabOffset = pcln;
    funcDataOffset = pcln;
    pctabOffset = pctab;
    // pcHeader.textStart is a relocated pointer; since Go 1.26 it is an unused field (runtime/symtab.go).
    if (fields === 24) headerTextStart = await image.readPointer(vaddr + 24, 'pcHeader.textStart');
  }
  const functabEntryBytes = format === 'go1.2' || format === 'go1.16' ? 16 : 8;
  const functabBytes = (functionCount + 1) * functabEntryBytes;
  if (functionCount === 0 || functabOffset + functabBytes > size) {
    throw corrupt(path, `a function count whose functab fits in the ${size}-byte table`, `${functionCount}`);
  }
  const { limits } = image.reader;
  if (functionCount > limits.maxFunctions)
    throw inputTooLarge(path, 'maxFunctions', limits, 'functions in the pclntab', functionCount);
  return {
    format,
    vaddr,
    limit,
    functionCount,
    namesVaddr: vaddr + namesOffset,
    namesLimit: vaddr + namesEnd,
    functabVaddr: vaddr + functabOffset,
    functabEntryBytes,
    funcDataVaddr: vaddr + funcDataOffset,
    headerTextStart,
    pctabVaddr: vaddr + pctabOffset,
    pcQuantum: head[6]!,
  };
}

function corrupt(path: string, expected: string, found: string): GoElfError {
  return new GoElfError('CORRUPT', path, `expected ${expected}, found ${found}; the pclntab is corrupt`);
}
