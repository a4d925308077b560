import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { GoElfError } from './go-elf-error.js';
import { codeOf } from './test-support/error-code.js';
import { openBytes } from './test-support/memory-source.js';
import { craftElf, withSections } from './test-support/craft-elf.js';

describe('ELF header checks', () => {
  it('rejects a shell script as NOT_ELF', async () => {
    expect(await codeOf(openBytes(Buffer.from('#!/bin/sh\necho hi\n')))).toBe('NOT_ELF');
  });

  it('rejects an empty file as NOT_ELF', async () => {
    expect(await codeOf(openBytes(Buffer.alloc(0)))).toBe('NOT_ELF');
  });

  it('rejects a header cut at 20 bytes as TRUNCATED', async () => {
    expect(await codeOf(openBytes(craftElf().subarray(0, 20)))).toBe('TRUNCATED');
  });

  it('rejects a 32-bit ELF as UNSUPPORTED_ELF_CLASS', async () => {
    const elf = craftElf();
    elf[4] = 1;
    expect(await codeOf(openBytes(elf))).toBe('UNSUPPORTED_ELF_CLASS');
  });

  it('rejects a big-endian ELF as UNSUPPORTED_ENDIANNESS', async () => {
    const elf = craftElf();
    elf[5] = 2;
    expect(await codeOf(openBytes(elf))).toBe('UNSUPPORTED_ENDIANNESS');
  });

  it('rejects a 32-bit ARM machine as UNSUPPORTED_MACHINE and names it', async () => {
    const error = await openBytes(craftElf({ machine: 40 })).catch((e: unknown) => e);
    expect(GoElfError.isInstance(error) && error.code).toBe('UNSUPPORTED_MACHINE');
    expect((error as Error).message).toContain('ARM (32-bit)');
  });

  it('accepts AArch64 as arm64 and x86-64 as amd64', async () => {
    expect((await openBytes(craftElf({ machine: 183 }))).arch).toBe('arm64');
    expect((await openBytes(craftElf({ machine: 62 }))).arch).toBe('amd64');
  });

  it('rejects an e_phnum of 65534 in a 4 KB file as CORRUPT before reading the table', async () => {
    const elf = craftElf();
    elf.writeUInt16LE(0xfffe, 56);
    expect(await codeOf(openBytes(elf))).toBe('CORRUPT');
  });

  it('rejects an e_shnum of 65534 in a 4 KB file as CORRUPT', async () => {
    const elf = craftElf();
    elf.writeBigUInt64LE(64n, 40);
    elf.writeUInt16LE(0xfffe, 60);
    expect(await codeOf(openBytes(elf))).toBe('CORRUPT');
  });

  it('rejects a section header table past the end of the file as TRUNCATED', async () => {
    const elf = craftElf();
    elf.writeBigUInt64LE(0x10000000n, 40);
    elf.writeUInt16LE(3, 60);
    expect(await codeOf(openBytes(elf))).toBe('TRUNCATED');
  });

  it('rejects an e_phoff beyond 2^53 as CORRUPT', async () => {
    const elf = craftElf();
    elf.writeBigUInt64LE(1n << 60n, 32);
    expect(await codeOf(openBytes(elf))).toBe('CORRUPT');
  });

  it('rejects a PT_LOAD that extends past the end of the file as TRUNCATED', async () => {
    expect(
      await codeOf(
        openBytes(craftElf({ segments: [{ flags: 5, offset: 0, vaddr: 0x400000, fileSizeBytes: 0x100000 }] })),
      ),
    ).toBe('TRUNCATED');
  });

  it('reports a section whose data lies past the end of the file as TRUNCATED when read', async () => {
    const binary = await openBytes(
      withSections(craftElf(), [{ name: '.debug_info', type: 1, offset: 0xfffffff, sizeBytes: 16 }]),
    );
    expect(await codeOf(binary.section('.debug_info'))).toBe('TRUNCATED');
  });

  it('says NOT_GO_BINARY for build info and NO_PCLNTAB for lookups in a non-Go ELF', async () => {
    const binary = await openBytes(
      craftElf({
        segments: [
          { flags: 5, offset: 0, vaddr: 0x400000, fileSizeBytes: 0x800 },
          { flags: 6, offset: 0x800, vaddr: 0x600800, fileSizeBytes: 0x800 },
        ],
      }),
    );
    expect(await codeOf(binary.buildInfo())).toBe('NOT_GO_BINARY');
    expect(await codeOf(binary.findFunction('main.main'))).toBe('NO_PCLNTAB');
  });

  it('reads past p_filesz as zeros (bss) and refuses addresses outside every segment', async () => {
    const binary = await openBytes(
      craftElf({ segments: [{ flags: 6, offset: 0, vaddr: 0x400000, fileSizeBytes: 0x10, memorySizeBytes: 0x100 }] }),
    );
    expect((await binary.readVirtual(0x400010, 4)).toString('hex')).toBe('00000000');
    expect(await codeOf(binary.readVirtual(0x900000, 4))).toBe('CORRUPT');
  });
});

describe('sections', () => {
  const payload = Buffer.from('DWARF bytes '.repeat(20));

  function compressedSection(sizeBytes: number, data = deflateSync(payload)): Buffer {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(1, 0); // ELFCOMPRESS_ZLIB
    header.writeBigUInt64LE(BigInt(sizeBytes), 8);
    return Buffer.concat([header, data]);
  }

  function elfWith(section: Buffer, flags: number): Buffer {
    const base = craftElf();
    const offset = base.length;
    return withSections(Buffer.concat([base, section]), [
      { name: '.debug_info', type: 1, flags, offset, sizeBytes: section.length },
    ]);
  }

  it('inflates an SHF_COMPRESSED zlib section', async () => {
    const binary = await openBytes(elfWith(compressedSection(payload.length), 0x800));
    expect(binary.hasDwarf).toBe(true);
    expect((await binary.section('.debug_info'))?.equals(payload)).toBe(true);
  });

  it('rejects a compressed section claiming an impossible uncompressed size as CORRUPT', async () => {
    const binary = await openBytes(elfWith(compressedSection(2 ** 40), 0x800));
    expect(await codeOf(binary.section('.debug_info'))).toBe('CORRUPT');
  });

  it('rejects a compressed section whose data is not zlib as CORRUPT', async () => {
    const binary = await openBytes(elfWith(compressedSection(100, Buffer.from('not zlib at all')), 0x800));
    expect(await codeOf(binary.section('.debug_info'))).toBe('CORRUPT');
  });

  it('returns undefined for a section that does not exist', async () => {
    expect(await (await openBytes(craftElf())).section('.debug_line')).toBeUndefined();
  });
});
