import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeOf } from './test-support/error-code.js';
import { clientDoName } from './http-probe-functions.js';
import { ElfImage } from './elf-image.js';
import { FileReader } from './file-reader.js';
import { MemorySource, openBytes } from './test-support/memory-source.js';
import { inCi } from '@httpwatcher/test-support/gates';
import { loadFixtures } from './test-support/fixtures.js';
import { writeSparseFile } from './test-support/hostile-elf.js';
import { GoBinary } from './go-binary.js';

const { fixtures } = loadFixtures();
const cell = (go: string, variant: string) => fixtures.find((f) => f.go === go && f.variant === variant);

/** The fixture's bytes and the file offset and address of one of its sections. */
async function load(go: string, variant: string, section: string) {
  const fx = cell(go, variant);
  if (!fx) return undefined;
  const bytes = await readFile(fx.absolutePath);
  const image = await ElfImage.open(new FileReader(new MemorySource(bytes), fx.absolutePath, bytes.length));
  const index = image.sections.findIndex((s) => s.name === section);
  if (index < 0) return undefined;
  const header = image.sections[index]!;
  const headerAt = image.header.sectionTableOffset + index * 64;
  return { bytes, offset: header.offset, addr: header.addr, flags: header.flags, headerAt, image };
}

const gib = 1 << 30;
const scratch = mkdtemp(join(tmpdir(), 'go-elf-corrupted-'));
afterAll(async () => rm(await scratch, { recursive: true, force: true }));

/** The patched fixture as the head of a 1 GiB sparse file: the growth costs nothing on disk. */
async function grownTo1GiB(bytes: Buffer): Promise<string> {
  const path = join(await scratch, 'grown');
  await writeSparseFile(path, gib, bytes);
  return path;
}

function zeroSectionHeaders(bytes: Buffer): void {
  bytes.fill(0, 40, 48);
  bytes.fill(0, 60, 64);
}

describe.skipIf(!inCi && fixtures.length === 0)('corrupted copies of real fixtures', () => {
  it('rejects a pclntab claiming 2^40 functions as CORRUPT without allocating for them', async () => {
    const f = (await load('1.24', 'stripped', '.gopclntab'))!;
    f.bytes.writeBigUInt64LE(1n << 40n, f.offset + 8);
    expect(await codeOf((await openBytes(f.bytes)).findFunction(clientDoName))).toBe('CORRUPT');
  });

  it('rejects a Go 1.2-format pclntab claiming 2^40 functions as CORRUPT', async () => {
    const f = (await load('1.15', 'stripped', '.gopclntab'))!;
    f.bytes.writeBigUInt64LE(1n << 40n, f.offset + 8);
    expect(await codeOf((await openBytes(f.bytes)).findFunction(clientDoName))).toBe('CORRUPT');
  });

  it('rejects a pcHeader whose funcname offset points past the table as CORRUPT', async () => {
    const f = (await load('1.24', 'stripped', '.gopclntab'))!;
    f.bytes.writeBigUInt64LE(1n << 40n, f.offset + 32);
    expect(await codeOf((await openBytes(f.bytes)).findFunction(clientDoName))).toBe('CORRUPT');
  });

  it('rejects a build info varint length of 2^48 as CORRUPT', async () => {
    const f = (await load('1.24', 'default', '.go.buildinfo'))!;
    Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]).copy(f.bytes, f.offset + 32);
    expect(await codeOf((await openBytes(f.bytes)).buildInfo())).toBe('CORRUPT');
  });

  it('rejects an unterminated build info varint as CORRUPT', async () => {
    const f = (await load('1.24', 'default', '.go.buildinfo'))!;
    f.bytes.fill(0xff, f.offset + 32, f.offset + 44);
    expect(await codeOf((await openBytes(f.bytes)).buildInfo())).toBe('CORRUPT');
  });

  it('rejects a pre-1.18 build info pointer outside the image as CORRUPT', async () => {
    const f = (await load('1.15', 'default', '.go.buildinfo'))!;
    f.bytes.writeBigUInt64LE(0x7fff00000000n, f.offset + 16);
    expect(await codeOf((await openBytes(f.bytes)).buildInfo())).toBe('CORRUPT');
  });

  it('refuses when pcHeader.textStart disagrees with moduledata.text (Go 1.24) instead of picking one', async () => {
    const f = (await load('1.24', 'stripped', '.gopclntab'))!;
    const textStart = f.bytes.readBigUInt64LE(f.offset + 24);
    f.bytes.writeBigUInt64LE(textStart + 0x1000n, f.offset + 24);
    expect(await codeOf((await openBytes(f.bytes)).findFunction(clientDoName))).toBe('CORRUPT');
  });

  it('refuses a Go 1.26 binary with no sections and no findable moduledata instead of guessing the text start', async () => {
    const f = (await load('1.26', 'stripped', '.gopclntab'))!;
    expect(f.bytes.readBigUInt64LE(f.offset + 24)).toBe(0n); // Go 1.26 no longer stores textStart in pcHeader
    zeroSectionHeaders(f.bytes);
    const word = Buffer.alloc(8);
    word.writeBigUInt64LE(BigInt(f.addr));
    for (let at = f.bytes.indexOf(word); at >= 0; at = f.bytes.indexOf(word, at + 1))
      if (at % 8 === 0) f.bytes.fill(0, at, at + 8);
    expect(await codeOf((await openBytes(f.bytes)).findFunction(clientDoName))).toBe('CORRUPT');
  });

  it('finds the Go 1.26 text start through moduledata when sections are gone', async () => {
    const f = (await load('1.26', 'stripped', '.gopclntab'))!;
    const reference = await (await openBytes(Buffer.from(f.bytes))).findFunction(clientDoName);
    zeroSectionHeaders(f.bytes);
    expect((await (await openBytes(f.bytes)).findFunction(clientDoName)).entry).toBe(reference.entry);
  });

  it('refuses a fixture grown into a 1 GiB sparse file whose .symtab claims the growth, before reading it', async () => {
    const f = (await load('1.24', 'default', '.symtab'))!;
    f.bytes.writeBigUInt64LE(BigInt(gib - f.offset), f.headerAt + 32);
    await using binary = await GoBinary.open(await grownTo1GiB(f.bytes));
    expect(await codeOf(binary.findFunction(clientDoName))).toBe('INPUT_TOO_LARGE');
  });

  it('refuses a fixture grown into a 1 GiB sparse file whose extended section count fills it', async () => {
    const f = (await load('1.24', 'default', '.symtab'))!;
    f.bytes.writeUInt16LE(0, 60);
    f.bytes.writeBigUInt64LE(BigInt(gib / 64 - 1024), f.image.header.sectionTableOffset + 32);
    expect(await codeOf(GoBinary.open(await grownTo1GiB(f.bytes)))).toBe('INPUT_TOO_LARGE');
  });

  it('refuses a fixture whose compressed .debug_info claims 512 MiB, before inflating it', async () => {
    const f = (await load('1.24', 'default', '.debug_info')) ?? (await load('1.24', 'default', '.zdebug_info'))!;
    if (f.flags & 0x800) f.bytes.writeBigUInt64LE(512n << 20n, f.offset + 8);
    else f.bytes.writeBigUInt64BE(512n << 20n, f.offset + 4);
    expect(await codeOf((await openBytes(f.bytes)).section('.debug_info'))).toBe('INPUT_TOO_LARGE');
  });

  it('finds Client.do where it was when no section name is terminated', async () => {
    const f = (await load('1.24', 'default', '.shstrtab'))!;
    const reference = await (await openBytes(Buffer.from(f.bytes))).findFunction(clientDoName);
    const names = f.image.section('.shstrtab')!;
    for (let at = f.offset; at < f.offset + names.sizeBytes; at++) if (f.bytes[at] === 0) f.bytes[at] = 0x41;
    expect((await (await openBytes(f.bytes)).findFunction(clientDoName)).entry).toBe(reference.entry);
  });

  it('reports a fixture cut in half as TRUNCATED', async () => {
    const f = (await load('1.24', 'default', '.gopclntab'))!;
    expect(await codeOf(openBytes(f.bytes.subarray(0, f.bytes.length >> 1)))).toBe('TRUNCATED');
  });
});
