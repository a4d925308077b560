import { GoElfError } from './go-elf-error.js';
import type { FileReader } from './file-reader.js';
import { inputTooLarge } from './input-limits.js';
import { readU64 } from './little-endian.js';

export type GoArch = 'amd64' | 'arm64';

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PF_X = 1;
export const PF_W = 2;
export const ET_DYN = 3;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const PN_XNUM = 0xffff;

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  fileSizeBytes: number;
  memorySizeBytes: number;
}

export interface ElfHeader {
  type: number;
  arch: GoArch;
  programHeaders: ProgramHeader[];
  sectionTableOffset: number;
  sectionEntrySizeBytes: number;
  sectionCount: number;
  sectionNamesIndex: number;
}

const machineNames: Record<number, string> = {
  3: 'x86 (32-bit)',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 's390',
  40: 'ARM (32-bit)',
  243: 'RISC-V',
  258: 'LoongArch',
};

/** Parses the ELF64 little-endian file header and program headers, rejecting everything else with a typed error. */
export async function readElfHeader(reader: FileReader): Promise<ElfHeader> {
  const path = reader.path;
  if (reader.sizeBytes < 4)
    throw new GoElfError(
      'NOT_ELF',
      path,
      `expected an ELF file, found a ${reader.sizeBytes}-byte file; pass a Go executable`,
    );
  const ident = await reader.read(0, Math.min(64, reader.sizeBytes), 'ELF header');
  if (ident.readUInt32BE(0) !== 0x7f454c46) {
    throw new GoElfError(
      'NOT_ELF',
      path,
      `expected the ELF magic 7f 45 4c 46, found ${ident.subarray(0, 4).toString('hex')}; pass a Linux Go executable (not a script or another format)`,
    );
  }
  if (ident.length < 64)
    throw new GoElfError(
      'TRUNCATED',
      path,
      `expected a 64-byte ELF header, found ${ident.length} bytes; the file is truncated`,
    );
  if (ident[4] !== 2) {
    throw new GoElfError(
      'UNSUPPORTED_ELF_CLASS',
      path,
      `expected a 64-bit ELF (class 2), found class ${ident[4]}${ident[4] === 1 ? ' (32-bit)' : ''}; only 64-bit amd64 and arm64 binaries are supported`,
    );
  }
  if (ident[5] !== 1) {
    throw new GoElfError(
      'UNSUPPORTED_ENDIANNESS',
      path,
      `expected little-endian data (1), found ${ident[5]}${ident[5] === 2 ? ' (big-endian)' : ''}; only little-endian amd64 and arm64 binaries are supported`,
    );
  }
  const machine = ident.readUInt16LE(18);
  const arch: GoArch | undefined = machine === EM_X86_64 ? 'amd64' : machine === EM_AARCH64 ? 'arm64' : undefined;
  if (!arch) {
    throw new GoElfError(
      'UNSUPPORTED_MACHINE',
      path,
      `expected machine x86-64 (62) or AArch64 (183), found ${machine}${machineNames[machine] ? ` (${machineNames[machine]})` : ''}; only amd64 and arm64 are supported`,
    );
  }
  const type = ident.readUInt16LE(16);
  const phoff = readU64(ident, 32, path, 'e_phoff');
  const shoff = readU64(ident, 40, path, 'e_shoff');
  const phentsize = ident.readUInt16LE(54);
  let phnum = ident.readUInt16LE(56);
  const shentsize = ident.readUInt16LE(58);
  let shnum = ident.readUInt16LE(60);
  let shstrndx = ident.readUInt16LE(62);

  const hasSections = shoff !== 0 && (shnum !== 0 || shstrndx !== 0);
  const { limits } = reader;
  if (hasSections) {
    // The gABI fixes ELF64 entry sizes; a larger one would multiply every count below.
    if (shentsize !== 64)
      throw new GoElfError('CORRUPT', path, `expected section header entries of 64 bytes, found ${shentsize}`);
    // Extended numbering (ELF gABI): the real counts live in section header 0.
    if (shnum === 0 || phnum === PN_XNUM || shstrndx === 0xffff) {
      const first = await reader.read(shoff, 64, 'section header 0');
      if (shnum === 0)
        shnum = clampCount(readU64(first, 32, path, 'sh_size'), reader.sizeBytes, shentsize, path, 'section');
      if (phnum === PN_XNUM) phnum = first.readUInt32LE(44);
      if (shstrndx === 0xffff) shstrndx = first.readUInt32LE(40);
    }
    clampCount(shnum, reader.sizeBytes, shentsize, path, 'section');
    if (shnum > limits.maxSections) throw inputTooLarge(path, 'maxSections', limits, 'section headers', shnum);
    await reader.read(shoff, shnum * shentsize, 'section header table');
  }

  if (phnum === 0)
    throw new GoElfError('CORRUPT', path, 'expected program headers, found none; an executable needs PT_LOAD segments');
  // Linux's load_elf_phdrs refuses any other entry size (fs/binfmt_elf.c).
  if (phentsize !== 56)
    throw new GoElfError('CORRUPT', path, `expected program header entries of 56 bytes, found ${phentsize}`);
  clampCount(phnum, reader.sizeBytes, phentsize, path, 'program header');
  if (phnum > limits.maxProgramHeaders)
    throw inputTooLarge(path, 'maxProgramHeaders', limits, 'program headers', phnum);
  const table = await reader.read(phoff, phnum * phentsize, 'program header table');
  const programHeaders: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    programHeaders.push({
      type: table.readUInt32LE(at),
      flags: table.readUInt32LE(at + 4),
      offset: readU64(table, at + 8, path, 'p_offset'),
      vaddr: readU64(table, at + 16, path, 'p_vaddr'),
      fileSizeBytes: readU64(table, at + 32, path, 'p_filesz'),
      memorySizeBytes: readU64(table, at + 40, path, 'p_memsz'),
    });
  }
  return {
    type,
    arch,
    programHeaders,
    sectionTableOffset: hasSections ? shoff : 0,
    sectionEntrySizeBytes: shentsize,
    sectionCount: hasSections ? shnum : 0,
    sectionNamesIndex: shstrndx,
  };
}

function clampCount(count: number, fileSizeBytes: number, entrySizeBytes: number, path: string, what: string): number {
  if (count * entrySizeBytes > fileSizeBytes) {
    throw new GoElfError(
      'CORRUPT',
      path,
      `expected at most ${Math.floor(fileSizeBytes / entrySizeBytes)} ${what} headers for a ${fileSizeBytes}-byte file, found a count of ${count}; the header is corrupt`,
    );
  }
  return count;
}
