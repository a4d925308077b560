import { describe, expect, it } from 'vitest';
import { open } from 'node:fs/promises';
import { GoBinary } from './go-binary.js';
import { clientDoName, transportRoundTripName } from './http-probe-functions.js';
import { unprovenProbeOffsets } from './probe-sites.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inCi } from '@httpwatcher/test-support/gates';
import { goTool, loadFixtures, nmAddress, objdump } from './test-support/fixtures.js';
import { renderGoVersionM } from './test-support/go-version-m.js';

const { fixtures, missing } = loadFixtures();
const readelf = async (args: string[]): Promise<string> =>
  (await promisify(execFile)('readelf', args, { maxBuffer: 16 << 20 })).stdout;

describe('fixture matrix', () => {
  it('has every toolchain × variant cell built', (ctx) => {
    if (missing.length > 0 && !inCi)
      ctx.skip(`fixture cells missing (build with: bash test-fixtures/build.sh): ${missing.join(', ')}`);
    expect(missing).toEqual([]);
  });

  describe.each(fixtures)('go$go $variant ($path)', (fx) => {
    it.concurrent('reads the same build info as go version -m', async () => {
      await using binary = await GoBinary.open(fx.absolutePath);
      const expected = (await goTool(fx.goroot, ['version', '-m', fx.absolutePath])).replace(/\n$/, '').split('\n');
      expect(renderGoVersionM(fx.absolutePath, await binary.buildInfo())).toEqual(expected);
    });

    it.concurrent.each([clientDoName, transportRoundTripName])(
      'finds %s where go tool nm puts it in the unstripped twin',
      async (name) => {
        await using binary = await GoBinary.open(fx.absolutePath);
        const fn = await binary.findFunction(name);
        expect(fn.entry).toBe(await nmAddress(fx.goroot, fx.twin.absolutePath, name));
        expect(fn.source).toBe(fx.variant.endsWith('stripped') ? 'pclntab' : 'symtab');
        expect(binary.hasSymtab).toBe(!fx.variant.endsWith('stripped'));
        expect(binary.isPie).toBe(fx.variant.endsWith('pie'));
        expect(binary.arch).toBe(fx.goarch);
      },
    );

    it.concurrent('gives the file offset of the bytes objdump shows at the entry', async () => {
      await using binary = await GoBinary.open(fx.absolutePath);
      const fn = await binary.findFunction(clientDoName);
      const [first] = await objdump(fx.goarch, fx.absolutePath, fn.entry, fn.entry + 16);
      expect(first?.address).toBe(fn.entry);
      const handle = await open(fx.absolutePath, 'r');
      const bytes = Buffer.alloc(first!.bytes.length);
      await handle.read(bytes, 0, bytes.length, fn.fileOffset);
      await handle.close();
      expect(bytes.toString('hex')).toBe(first!.bytes.toString('hex'));
    });

    it.concurrent("names the read-only PT_LOAD that readelf shows holding .rodata, and its bytes are the section's", async () => {
      await using binary = await GoBinary.open(fx.absolutePath);
      const segments = (await readelf(['-lW', fx.absolutePath]))
        .split('\n')
        .map((line) =>
          /^\s*LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(.+?)\s+0x[0-9a-f]+$/.exec(
            line,
          ),
        )
        .filter((m) => m !== null)
        .map((m) => ({
          offset: Number(m[1]),
          vaddr: Number(m[2]),
          fileSize: Number(m[3]),
          memSize: Number(m[4]),
          flags: m[5]!.replace(/\s/g, ''),
        }));
      const rodata = /\]\s+\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(
        await readelf(['-SW', fx.twin.absolutePath]),
      );
      expect(rodata).not.toBeNull();
      const [rodataAddr, rodataSize] = [parseInt(rodata![1]!, 16), parseInt(rodata![3]!, 16)];
      const holder = segments.find(
        (s) => s.flags === 'R' && rodataAddr >= s.vaddr && rodataAddr < s.vaddr + s.fileSize,
      );
      expect(holder).toBeDefined();
      expect(binary.readOnlyData).toEqual({
        vaddr: holder!.vaddr,
        sizeBytes: holder!.fileSize,
        fileOffset: holder!.offset,
      });
      expect(binary.executableStart).toBe(
        Math.min(...segments.filter((s) => s.flags.includes('E')).map((s) => s.vaddr)),
      );
      const fromSegment = await binary.readVirtual(rodataAddr, Math.min(rodataSize, 4096));
      const handle = await open(fx.twin.absolutePath, 'r');
      const fromSection = Buffer.alloc(fromSegment.length);
      await handle.read(fromSection, 0, fromSection.length, parseInt(rodata![2]!, 16));
      await handle.close();
      expect(fromSegment.equals(fromSection)).toBe(true);
    });

    it.concurrent.each([clientDoName, transportRoundTripName])(
      'puts the probe of %s on the instruction after the stack-bound branch objdump shows',
      async (name) => {
        await using binary = await GoBinary.open(fx.absolutePath);
        const fn = await binary.findFunction(name);
        const instructions = await objdump(fx.goarch, fx.absolutePath, fn.entry, fn.entry + 64);
        const branch = fx.goarch === 'amd64' ? /^jbe\s/ : /^b\.ls\s/;
        const index = instructions.findIndex((i) => branch.test(i.text));
        expect(index).toBeGreaterThan(0);
        const after = instructions[index + 1]!.address;
        const probe = await binary.stackCheckEnd(fn);
        expect(probe).toEqual({
          address: after,
          fileOffset: fn.fileOffset + (after - fn.entry),
        });
        const code = await binary.readVirtual(fn.entry, fn.size);
        expect(unprovenProbeOffsets(fx.goarch, code, fn.entry, [probe.address - fn.entry])).toEqual([]);
      },
    );
  });
});
