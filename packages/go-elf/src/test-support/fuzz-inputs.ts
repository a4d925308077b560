import { readFile } from 'node:fs/promises';
import { FileReader } from '../file-reader.js';
import { ElfImage } from '../elf-image.js';
import { GoBinary } from '../go-binary.js';
import { clientDoName } from '../inspect.js';
import { MemorySource } from './memory-source.js';

/** A fixture's bytes plus the offsets where corruption reaches the deepest code. */
export interface FuzzSeed {
  name: string;
  bytes: Buffer;
  hotspots: { offset: number; length: number }[];
}

export interface FuzzInput {
  description: string;
  source: MemorySource;
  sizeBytes: number;
}

/** mulberry32: small, fast and reproducible from one 32-bit seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
  return { name, bytes, hotspots: hotspots.filter((h) => h.length > 0 && h.offset + h.length <= bytes.length) };
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
  let sizeBytes = seed.bytes.length;
  let base = seed.bytes;
  const kind = next();
  if (kind < 0.05) {
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
  };
}
