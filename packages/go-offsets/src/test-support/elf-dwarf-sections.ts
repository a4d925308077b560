// Test-only: a minimal ELF64 little-endian section reader so DWARF tests do not wait for @httpwatcher/go-elf.
// Production callers pass sections the ELF package has already decompressed.
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import type { DwarfSections } from '../dwarf/dwarf-sections.js';

const shfCompressed = 0x800;
const elfCompressZlib = 1;
const wanted = new Set([
  '.debug_info',
  '.debug_abbrev',
  '.debug_str',
  '.debug_line_str',
  '.debug_str_offsets',
  '.debug_addr',
]);

/** The DWARF sections of an ELF file, decompressed (SHF_COMPRESSED or Go ≤ 1.19's `.zdebug_*`); undefined if none. */
export function readElfDwarfSections(path: string): DwarfSections | undefined {
  const file = readFileSync(path);
  if (file.readUInt32BE(0) !== 0x7f454c46 || file[4] !== 2 || file[5] !== 1)
    throw new Error(`${path}: not a 64-bit little-endian ELF file`);
  const shoff = Number(file.readBigUInt64LE(0x28));
  const shentsize = file.readUInt16LE(0x3a);
  const shnum = file.readUInt16LE(0x3c);
  const shstrndx = file.readUInt16LE(0x3e);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: file.readUInt32LE(at),
      flags: Number(file.readBigUInt64LE(at + 8)),
      offset: Number(file.readBigUInt64LE(at + 24)),
      size: Number(file.readBigUInt64LE(at + 32)),
    };
  };
  const names = header(shstrndx);
  const sections = new Map<string, Buffer>();
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    const nameStart = names.offset + h.name;
    const name = file.toString('latin1', nameStart, file.indexOf(0, nameStart));
    if (!wanted.has(name.replace(/^\.zdebug_/, '.debug_'))) continue;
    let data = file.subarray(h.offset, h.offset + h.size);
    if (h.flags & shfCompressed) {
      if (data.readUInt32LE(0) !== elfCompressZlib) throw new Error(`${path}: ${name} uses an unsupported compression`);
      data = inflateSync(data.subarray(24));
    } else if (name.startsWith('.zdebug_') && data.toString('latin1', 0, 4) === 'ZLIB') {
      data = inflateSync(data.subarray(12));
    }
    sections.set(name.replace(/^\.zdebug_/, '.debug_'), data);
  }
  const info = sections.get('.debug_info');
  const abbrev = sections.get('.debug_abbrev');
  if (!info || !abbrev) return undefined;
  const optional = (name: string) => sections.get(name);
  return {
    info,
    abbrev,
    ...(optional('.debug_str') && { str: optional('.debug_str') }),
    ...(optional('.debug_line_str') && { lineStr: optional('.debug_line_str') }),
    ...(optional('.debug_str_offsets') && { strOffsets: optional('.debug_str_offsets') }),
    ...(optional('.debug_addr') && { addr: optional('.debug_addr') }),
  };
}
