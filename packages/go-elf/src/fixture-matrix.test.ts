import { describe, expect, it } from 'vitest';
import { open } from 'node:fs/promises';
import { GoBinary } from './go-binary.js';
import { clientDoName } from './inspect.js';
import { goTool, inCi, loadFixtures, nmAddress, objdump } from './test-support/fixtures.js';
import { renderGoVersionM } from './test-support/go-version-m.js';

const { fixtures, missing } = loadFixtures();

describe('fixture matrix', () => {
  it('has every toolchain × variant cell built', (ctx) => {
    if (missing.length > 0 && !inCi) ctx.skip(`fixture cells missing (build with: bash test-fixtures/build.sh): ${missing.join(', ')}`);
    expect(missing).toEqual([]);
  });

  describe.each(fixtures)('go$go $variant ($path)', (fx) => {
    it.concurrent('reads the same build info as go version -m', async () => {
      await using binary = await GoBinary.open(fx.absolutePath);
      const expected = (await goTool(fx.goroot, ['version', '-m', fx.absolutePath])).replace(/\n$/, '').split('\n');
      expect(renderGoVersionM(fx.absolutePath, await binary.buildInfo())).toEqual(expected);
    });

    it.concurrent(`finds ${clientDoName} where go tool nm puts it in the unstripped twin`, async () => {
      await using binary = await GoBinary.open(fx.absolutePath);
      const fn = await binary.findFunction(clientDoName);
      expect(fn.entry).toBe(await nmAddress(fx.goroot, fx.twin.absolutePath, clientDoName));
      expect(fn.source).toBe(fx.variant.endsWith('stripped') ? 'pclntab' : 'symtab');
      expect(binary.hasSymtab).toBe(!fx.variant.endsWith('stripped'));
      expect(binary.isPie).toBe(fx.variant.endsWith('pie'));
      expect(binary.arch).toBe(fx.goarch);
    });

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

    it.concurrent('puts the probe on the instruction after the stack-bound branch objdump shows', async () => {
      await using binary = await GoBinary.open(fx.absolutePath);
      const fn = await binary.findFunction(clientDoName);
      const instructions = await objdump(fx.goarch, fx.absolutePath, fn.entry, fn.entry + 64);
      const branch = fx.goarch === 'amd64' ? /^jbe\s/ : /^b\.ls\s/;
      const index = instructions.findIndex((i) => branch.test(i.text));
      expect(index).toBeGreaterThan(0);
      const after = instructions[index + 1]!.address;
      expect(await binary.stackCheckEnd(fn)).toEqual({ address: after, fileOffset: fn.fileOffset + (after - fn.entry) });
    });
  });
});
