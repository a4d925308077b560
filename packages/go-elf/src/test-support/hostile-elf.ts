/**
 * Hostile ELF shapes for budget tests and the benchmark: each is small to build and small on disk, and
 * claims counts or sizes that an unbounded parser would act on.
 */
import { open } from 'node:fs/promises';
import { constants, deflateRawSync } from 'node:zlib';
import { craftElf, withSections } from './craft-elf.js';

export const SHF_COMPRESSED = 0x800;
const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const headBytes = 0x2000;
const mib = 1 << 20;

/** Writes `head` at the start of a file of `sizeBytes` whose rest is a hole: it takes a few KB on disk. */
export async function writeSparseFile(path: string, sizeBytes: number, head: Buffer): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.write(head, 0, head.length, 0);
    await file.truncate(sizeBytes);
  } finally {
    await file.close();
  }
}

/** The first 8 KB of an ELF whose extended section count (section 0's sh_size) fills the whole file. */
export function hugeSectionCountHead(fileSizeBytes: number): Buffer {
  const elf = craftElf({ sizeBytes: headBytes });
  const tableOffset = 0x1000;
  elf.writeBigUInt64LE(BigInt(tableOffset), 40); // e_shoff
  elf.writeUInt16LE(0, 60); // e_shnum 0: the count is in section 0
  elf.writeUInt16LE(0xffff, 62); // SHN_XINDEX: so is the section-name index (sh_link, 0 here)
  elf.writeBigUInt64LE(BigInt(Math.floor((fileSizeBytes - tableOffset) / 64)), tableOffset + 32);
  return elf;
}

/** The first 8 KB of an ELF whose extended program header count (section 0's sh_info) fills the whole file. */
export function hugeProgramHeaderCountHead(fileSizeBytes: number): Buffer {
  const elf = craftElf({ sizeBytes: headBytes });
  const tableOffset = 0x1000;
  elf.writeBigUInt64LE(BigInt(tableOffset), 40);
  elf.writeUInt16LE(1, 60);
  elf.writeUInt16LE(0xffff, 56); // PN_XNUM: the count is in section 0
  elf.writeUInt32LE(Math.floor((fileSizeBytes - 64) / 56), tableOffset + 44);
  return elf;
}

/** The first 8 KB of an ELF with a .symtab as large as the file (all zeros) and a .strtab naming `name`. */
export function hugeSymtabHead(fileSizeBytes: number, name: string): Buffer {
  const strings = Buffer.from(`\0${name}\0`, 'utf8');
  const base = craftElf({ sizeBytes: 0x1000 });
  const symtabOffset = headBytes;
  return pad(
    withSections(Buffer.concat([base, strings]), [
      { name: '.symtab', type: SHT_SYMTAB, offset: symtabOffset, sizeBytes: fileSizeBytes - symtabOffset, link: 2 },
      { name: '.strtab', type: SHT_STRTAB, offset: base.length, sizeBytes: strings.length },
    ]),
  );
}

/** An ELF with `count` sections all named by the same `nameBytes`-byte run without a NUL. */
export function unterminatedSectionNames(count: number, nameBytes: number): Buffer {
  const base = craftElf({ sizeBytes: 0x1000 });
  const names = Buffer.alloc(nameBytes, 0x41);
  const tableOffset = base.length + names.length;
  const table = Buffer.alloc(count * 64);
  for (let i = 1; i < count; i++) table.writeUInt32LE(SHT_PROGBITS, i * 64 + 4);
  const namesHeader = 1;
  table.writeUInt32LE(SHT_STRTAB, namesHeader * 64 + 4);
  table.writeBigUInt64LE(BigInt(base.length), namesHeader * 64 + 24);
  table.writeBigUInt64LE(BigInt(names.length), namesHeader * 64 + 32);
  const elf = Buffer.concat([base, names, table]);
  elf.writeBigUInt64LE(BigInt(tableOffset), 40);
  elf.writeUInt16LE(count, 60);
  elf.writeUInt16LE(namesHeader, 62);
  return elf;
}

/**
 * A zlib stream that inflates to `sizeBytes` zeros (rounded up to whole MiB) from about 1 KB per MiB: one
 * fully flushed raw-deflate MiB repeated, an empty final block, and the Adler-32 of that many zeros.
 */
export function zeroBomb(sizeBytes: number): Buffer {
  const count = Math.ceil(sizeBytes / mib);
  const block = deflateRawSync(Buffer.alloc(mib), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((count * mib) % 65521) * 0x10000 + 1) >>> 0);
  return Buffer.concat([
    Buffer.from([0x78, 0xda]),
    ...new Array<Buffer>(count).fill(block),
    Buffer.from([3, 0]),
    adler,
  ]);
}

/** `.debug_info` holding `zlib` with an uncompressed size of `claimedBytes`, as SHF_COMPRESSED or as `.zdebug_info`. */
export function compressedDebugInfo(style: 'shf' | 'zdebug', zlib: Buffer, claimedBytes: number): Buffer {
  let header = compressionHeader(claimedBytes);
  if (style === 'zdebug') {
    header = Buffer.alloc(12);
    header.write('ZLIB', 0, 'latin1');
    header.writeBigUInt64BE(BigInt(claimedBytes), 4);
  }
  const data = Buffer.concat([header, zlib]);
  const base = craftElf();
  return withSections(Buffer.concat([base, data]), [
    {
      name: style === 'shf' ? '.debug_info' : '.zdebug_info',
      type: SHT_PROGBITS,
      flags: style === 'shf' ? SHF_COMPRESSED : 0,
      offset: base.length,
      sizeBytes: data.length,
    },
  ]);
}

const imageVaddr = 0x400000;

/** An ELF whose one PT_LOAD maps the whole file (read-only, or writable for build info). */
function wholeFileElf(fileSizeBytes: number, flags: number, sizeBytes = headBytes): Buffer {
  return craftElf({ sizeBytes, segments: [{ flags, offset: 0, vaddr: imageVaddr, fileSizeBytes }] });
}

/** The head of a file whose Go 1.18+ build info claims a modinfo string of `modInfoBytes`. */
export function buildInfoHead(fileSizeBytes: number, modInfoBytes: number): Buffer {
  const elf = wholeFileElf(fileSizeBytes, 6);
  const at = 0x1000;
  elf.write('\xff Go buildinf:', at, 'latin1');
  elf[at + 14] = 8; // pointer size
  elf[at + 15] = 2; // inline strings
  const version = Buffer.from('go1.24.4');
  const strings = Buffer.from([version.length, ...version, ...uleb(modInfoBytes)]);
  strings.copy(elf, at + 32);
  return withSections(elf, [
    { name: '.go.buildinfo', type: SHT_PROGBITS, addr: imageVaddr + at, offset: at, sizeBytes: 0x100 },
  ]);
}

/**
 * A small file with Go 1.18+ build info naming `goVersion` (a version the offsets table does not know
 * sends the analysis to the DWARF) and the given sections after it.
 */
export function goBuildWithSections(
  goVersion: string,
  sections: { name: string; data: Buffer; flags?: number }[],
): Buffer {
  const at = 0x1000;
  const dataStart = headBytes;
  const data = Buffer.concat(sections.map((s) => s.data));
  const elf = wholeFileElf(dataStart + data.length, 6, dataStart);
  elf.write('\xff Go buildinf:', at, 'latin1');
  elf[at + 14] = 8;
  elf[at + 15] = 2;
  const version = Buffer.from(goVersion);
  Buffer.from([version.length, ...version, 0]).copy(elf, at + 32);
  let offset = dataStart;
  const headers = sections.map((s) => {
    const header = { name: s.name, type: SHT_PROGBITS, flags: s.flags ?? 0, offset, sizeBytes: s.data.length };
    offset += s.data.length;
    return header;
  });
  return withSections(Buffer.concat([elf, data]), [
    { name: '.go.buildinfo', type: SHT_PROGBITS, addr: imageVaddr + at, offset: at, sizeBytes: 0x100 },
    ...headers,
  ]);
}

/** The ELF64 compression header (Elf64_Chdr) of a zlib SHF_COMPRESSED section claiming `sizeBytes`. */
export function compressionHeader(sizeBytes: number): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(1, 0); // ELFCOMPRESS_ZLIB
  header.writeBigUInt64LE(BigInt(sizeBytes), 8);
  return header;
}

/**
 * The head of a file whose Go 1.20-format pclntab (a `.gopclntab` section as large as the rest of the
 * file) claims `functions` functions and holds `nameCopies` copies of `name` in its name table.
 */
export function pclntabHead(fileSizeBytes: number, functions: number, name: string, nameCopies: number): Buffer {
  const at = 0x1000;
  const needle = Buffer.from(`${name}\0`);
  const namesOffset = 72;
  const namesEnd = namesOffset + needle.length * nameCopies;
  const elf = wholeFileElf(fileSizeBytes, 4, Math.max(headBytes, at + namesEnd + 64));
  elf.writeUInt32LE(0xfffffff1, at);
  elf[at + 6] = 1; // minLC
  elf[at + 7] = 8; // pointer size
  elf.writeBigUInt64LE(BigInt(functions), at + 8);
  elf.writeBigUInt64LE(BigInt(imageVaddr + 0x1000), at + 24); // textStart
  for (const [i, offset] of [namesOffset, namesEnd, namesEnd, namesEnd, namesEnd].entries())
    elf.writeBigUInt64LE(BigInt(offset), at + 32 + i * 8);
  for (let i = 0; i < nameCopies; i++) needle.copy(elf, at + namesOffset + i * needle.length);
  return withSections(elf, [
    {
      name: '.gopclntab',
      type: SHT_PROGBITS,
      addr: imageVaddr + at,
      offset: at,
      sizeBytes: fileSizeBytes - at,
    },
  ]);
}

/** Unsigned LEB128, as DWARF and Go's build info write lengths. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let n = value;
  do {
    out.push((n % 128) | (n >= 128 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
}

function pad(elf: Buffer): Buffer {
  if (elf.length > headBytes) throw new Error(`crafted head of ${elf.length} bytes exceeds ${headBytes}`);
  return Buffer.concat([elf, Buffer.alloc(headBytes - elf.length)]);
}
