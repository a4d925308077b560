import { readFile } from 'node:fs/promises';
import { FileReader } from '../file-reader.js';
import { ElfImage } from '../elf-image.js';
import { GoBinary } from '../go-binary.js';
import { clientDoName } from '../http-probe-functions.js';
import { MemorySource } from './memory-source.js';
import { seededRandom } from '@httpwatcher/test-support/seeded-random';

/** A fixture's bytes plus the offsets where corruption reaches the deepest code. */
export interface FuzzSeed {
  name: string;
  bytes: Buffer;
  hotspots: { offset: number; length: number }[];
  /** Where each section header is in the file, and the section it describes. */
  sections: { name: string; headerAt: number; offset: number; sizeBytes: number }[];
  /** The file's size when larger than `bytes` (the rest reads as zeros). */
  sizeBytes?: number;
}

export interface FuzzInput {
  description: string;
  source: MemorySource;
  sizeBytes: number;
  /** Also read .debug_info (inflating it): set for the inputs whose mutation aims at decompression. */
  readsDebugInfo: boolean;
}

/** mulberry32: small, fast and reproducible from one 32-bit seed. */
export const random = seededRandom;

export async function loadSeed(name: string, path: string): Promise<FuzzSeed> {
  const bytes = await readFile(path);
  const image = await ElfImage.open(new FileReader(new MemorySource(bytes), path, bytes.length));
  const hotspots = [
    { offset: 0, length: 64 },
    { offset: 64, length: image.header.programHeaders.length * 56 },
    { offset: image.header.sectionTableOffset, length: image.header.sectionCount * 64 },
  ];
  for (const name of [
    '.gopclntab',
    '.data.rel.ro.gopclntab',
    '.go.buildinfo',
    '.shstrtab',
    '.go.module',
    '.symtab',
    '.strtab',
    '.rela.dyn',
    '.dynamic',
  ]) {
    const section = image.section(name);
    if (section) hotspots.push({ offset: section.offset, length: Math.min(section.sizeBytes, 128) });
  }
  const pclntab = image.section('.gopclntab') ?? image.section('.data.rel.ro.gopclntab');
  if (pclntab) {
    const pcln = pclntab.sizeBytes > 72 ? Number(bytes.readBigUInt64LE(pclntab.offset + 64)) : 0;
    if (pcln > 0 && pcln < pclntab.sizeBytes) hotspots.push({ offset: pclntab.offset + pcln, length: 4096 });
  }
  await using binary = await GoBinary.fromReader(new FileReader(new MemorySource(bytes), path, bytes.length));
  const fn = await binary.findFunction(clientDoName);
  hotspots.push({ offset: fn.fileOffset, length: 64 });
  const sections = image.sections.map((section, i) => ({
    name: section.name,
    headerAt: image.header.sectionTableOffset + i * 64,
    offset: section.offset,
    sizeBytes: section.sizeBytes,
  }));
  return {
    name,
    bytes,
    hotspots: hotspots.filter((h) => h.length > 0 && h.offset + h.length <= bytes.length),
    sections,
  };
}

const boundaryWords = [
  0n,
  1n,
  0x7fn,
  0xffn,
  0x7fffffffn,
  0xffffffffn,
  0x80000000n,
  1n << 40n,
  1n << 53n,
  (1n << 64n) - 1n,
  1n << 63n,
];

/** One mutated input: byte patches, boundary words, truncation, removed sections or random bytes. */
export function mutate(seed: FuzzSeed, next: () => number): FuzzInput {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const at = () => {
    if (next() < 0.15) return Math.floor(next() * seed.bytes.length);
    const spot = pick(seed.hotspots);
    return spot.offset + Math.floor(next() * spot.length);
  };
  const patches = new Map<number, number>();
  const notes: string[] = [];
  let sizeBytes = seed.sizeBytes ?? seed.bytes.length;
  let base = seed.bytes;
  let readsDebugInfo = false;
  const kind = next();
  if (kind < 0.1 && seed.sections.length > 1) {
    readsDebugInfo = hostileMutation(seed, next, patches, notes);
  } else if (kind < 0.15) {
    base = Buffer.alloc(Math.floor(next() * 600));
    for (let i = 0; i < base.length; i++) base[i] = Math.floor(next() * 256);
    if (next() < 0.7 && base.length >= 4) base.writeUInt32BE(0x7f454c46, 0);
    if (next() < 0.5 && base.length >= 6) base.writeUInt16LE(0x0102, 4);
    sizeBytes = base.length;
    notes.push(`random ${base.length} bytes`);
  } else {
    const rounds = 1 + Math.floor(next() * 4);
    for (let r = 0; r < rounds; r++) {
      const choice = next();
      if (choice < 0.45) {
        const offset = at();
        const value = Math.floor(next() * 256);
        patches.set(offset, value);
        notes.push(`byte ${offset}=${value}`);
      } else if (choice < 0.8) {
        const offset = at() & ~3;
        const word = pick(boundaryWords);
        const width = next() < 0.5 ? 4 : 8;
        for (let i = 0; i < width; i++) patches.set(offset + i, Number((word >> BigInt(8 * i)) & 0xffn));
        notes.push(`u${width * 8} ${offset}=0x${word.toString(16)}`);
      } else if (choice < 0.9) {
        sizeBytes = Math.min(sizeBytes, next() < 0.5 ? at() : Math.floor(next() * seed.bytes.length));
        notes.push(`truncate ${sizeBytes}`);
      } else {
        for (const offset of [40, 41, 42, 43, 44, 45, 46, 47, 60, 61, 62, 63]) patches.set(offset, 0);
        notes.push('no section headers');
      }
    }
  }
  return {
    description: `${seed.name}: ${notes.join(', ')}`,
    source: new MemorySource(base, sizeBytes, patches),
    sizeBytes,
    readsDebugInfo: readsDebugInfo || next() < 0.01,
  };
}

function writeWord(patches: Map<number, number>, at: number, value: bigint, width: number): void {
  for (let i = 0; i < width; i++) patches.set(at + i, Number((value >> BigInt(8 * i)) & 0xffn));
}

/**
 * One of the shapes issue 13 found expensive, applied to a real binary: a section claiming the rest of
 * the file, an extended section count filling the file, a compressed section claiming a huge size, or a
 * section-name table without a NUL. Returns whether the shape aims at .debug_info's decompression.
 */
function hostileMutation(seed: FuzzSeed, next: () => number, patches: Map<number, number>, notes: string[]): boolean {
  const size = seed.bytes.length;
  const section = seed.sections[1 + Math.floor(next() * (seed.sections.length - 1))]!;
  const choice = next();
  if (choice < 0.3) {
    writeWord(patches, section.headerAt + 32, BigInt(Math.max(0, size - section.offset)), 8);
    notes.push(`${section.name} claims the rest of the file`);
    return false;
  }
  if (choice < 0.5) {
    writeWord(patches, 60, 0n, 2);
    writeWord(patches, seed.sections[0]!.headerAt + 32, BigInt(Math.floor(size / 64)), 8);
    notes.push('extended section count filling the file');
    return false;
  }
  if (choice < 0.8) {
    const info = seed.sections.find((s) => s.name === '.debug_info' || s.name === '.zdebug_info') ?? section;
    const claim = [1n << 30n, 1n << 40n, BigInt(info.sizeBytes) * 1000n, 0n][Math.floor(next() * 4)]!;
    writeWord(patches, info.headerAt + 8, 0x800n, 8); // SHF_COMPRESSED
    writeWord(patches, info.offset, 1n, 4); // ELFCOMPRESS_ZLIB
    writeWord(patches, info.offset + 8, claim, 8);
    notes.push(`${info.name} compressed, claiming ${claim} bytes`);
    return true;
  }
  const names = seed.sections.find((s) => s.name === '.shstrtab');
  for (let at = names?.offset ?? 0; names && at < names.offset + names.sizeBytes; at++)
    if (seed.bytes[at] === 0) patches.set(at, 0x41);
  notes.push('section names without NUL');
  return false;
}
