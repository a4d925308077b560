import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { clientDoName } from './http-probe-functions.js';
import { ElfImage } from './elf-image.js';
import { FileReader } from './file-reader.js';
import { MemorySource, openBytes } from './test-support/memory-source.js';
import { inCi } from '@httpwatcher/test-support/gates';
import { loadFixtures } from './test-support/fixtures.js';

const { fixtures } = loadFixtures();
const pies = fixtures.filter((f) => f.variant === 'pie' || f.variant === 'arm64-pie');

/**
 * Linkers may leave a relocated pointer as 0 in the file and put its value only in the RELA addend
 * (lld does by default). Zeroing every RELATIVE target in a PIE simulates that: nothing may change.
 */
async function withRelocationTargetsZeroed(path: string): Promise<{ original: Buffer; zeroed: Buffer; count: number }> {
  const original = await readFile(path);
  const zeroed = Buffer.from(original);
  const image = await ElfImage.open(new FileReader(new MemorySource(original), path, original.length));
  const rela = image.section('.rela') ?? image.section('.rela.dyn');
  let count = 0;
  if (!rela) return { original, zeroed, count };
  for (let at = rela.offset; at + 24 <= rela.offset + rela.sizeBytes; at += 24) {
    const type = original.readUInt32LE(at + 8);
    if (type !== 8 && type !== 1027) continue; // R_X86_64_RELATIVE, R_AARCH64_RELATIVE
    const fileOffset = image.space.fileOffsetOf(Number(original.readBigUInt64LE(at)), 8);
    if (fileOffset === undefined) continue;
    zeroed.fill(0, fileOffset, fileOffset + 8);
    count++;
  }
  // Without section headers every table must be found by scanning, through the relocations.
  zeroed.fill(0, 40, 48);
  zeroed.fill(0, 60, 64);
  return { original, zeroed, count };
}

describe.skipIf(!inCi && pies.length === 0)('pointers supplied only by RELATIVE relocations', () => {
  it.each(pies.map((f) => [`go${f.go} ${f.variant}`, f] as const))(
    '%s: same build info, address and probe with every relocated word zeroed',
    async (_, fx) => {
      const { original, zeroed, count } = await withRelocationTargetsZeroed(fx.absolutePath);
      expect(count).toBeGreaterThan(1000);
      const facts = async (bytes: Buffer) => {
        const binary = await openBytes(bytes);
        const fn = await binary.findFunction(clientDoName);
        const info = await binary.buildInfo();
        return {
          goVersion: info.goVersion,
          path: info.path,
          settings: info.settings,
          entry: fn.entry,
          fileOffset: fn.fileOffset,
          probe: await binary.stackCheckEnd(fn),
        };
      };
      expect(await facts(zeroed)).toEqual(await facts(original));
    },
  );
});
