import { readFileSync } from 'node:fs';

/** A program of a compiled BPF object: libbpf names it after its function, and its section says where it attaches. */
export interface BpfProgramSymbol {
  readonly name: string;
  readonly section: string;
}

/** The maps and programs of a compiled BPF object as libbpf finds them, read from its ELF symbol table. */
export interface BpfObjectSymbols {
  /** Symbols defined in the `.maps` section. */
  readonly maps: string[];
  /** Global functions in executable sections other than `.text` (which holds subprograms). */
  readonly programs: BpfProgramSymbol[];
}

const EM_BPF = 247;
const SHT_SYMTAB = 2;
const SHF_EXECINSTR = 0x4;
const STB_GLOBAL = 1;
const STT_OBJECT = 1;
const STT_FUNC = 2;

function cString(bytes: Buffer, at: number): string {
  const end = bytes.indexOf(0, at);
  return bytes.toString('latin1', at, end < 0 ? bytes.length : end);
}

/** Reads a little-endian ELF64 BPF object (clang -target bpf), independently of libbpf. */
export function readBpfObjectSymbols(path: string): BpfObjectSymbols {
  const elf = readFileSync(path);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1 || elf.readUInt16LE(18) !== EM_BPF)
    throw new Error(`${path} is not a little-endian ELF64 BPF object`);
  const sectionsAt = Number(elf.readBigUInt64LE(0x28));
  const sectionSize = elf.readUInt16LE(0x3a);
  const sectionCount = elf.readUInt16LE(0x3c);
  const sections = Array.from({ length: sectionCount }, (_, i) => {
    const at = sectionsAt + i * sectionSize;
    return {
      nameAt: elf.readUInt32LE(at),
      type: elf.readUInt32LE(at + 4),
      flags: Number(elf.readBigUInt64LE(at + 8)),
      offset: Number(elf.readBigUInt64LE(at + 24)),
      size: Number(elf.readBigUInt64LE(at + 32)),
      link: elf.readUInt32LE(at + 40),
      entrySize: Number(elf.readBigUInt64LE(at + 56)),
    };
  });
  const section = (i: number): (typeof sections)[number] => {
    const found = sections[i];
    if (!found) throw new Error(`${path}: no section ${i}`);
    return found;
  };
  const names = section(elf.readUInt16LE(0x3e));
  const sectionName = (i: number): string => cString(elf, names.offset + section(i).nameAt);
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) throw new Error(`${path} has no symbol table`);
  const strings = section(symtab.link);
  const maps: string[] = [];
  const programs: BpfProgramSymbol[] = [];
  for (let at = symtab.offset; at < symtab.offset + symtab.size; at += symtab.entrySize) {
    const info = elf.readUInt8(at + 4);
    const sectionIndex = elf.readUInt16LE(at + 6);
    if (sectionIndex === 0 || sectionIndex >= sectionCount) continue;
    const name = cString(elf, strings.offset + elf.readUInt32LE(at));
    const inSection = sectionName(sectionIndex);
    const type = info & 0xf;
    if (type === STT_OBJECT && inSection === '.maps') maps.push(name);
    const executable = (section(sectionIndex).flags & SHF_EXECINSTR) !== 0;
    if (type === STT_FUNC && info >> 4 === STB_GLOBAL && executable && inSection !== '.text')
      programs.push({ name, section: inSection });
  }
  return { maps, programs };
}
