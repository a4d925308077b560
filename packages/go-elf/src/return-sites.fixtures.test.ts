import { describe, expect, it } from 'vitest';
import { GoBinary } from './go-binary.js';
import { clientDoName, transportRoundTripName } from './http-probe-functions.js';
import { sweepAmd64, sweepArm64 } from './return-sites.js';
import { codeOf } from './test-support/error-code.js';
import { loadFixtures, objdump } from './test-support/fixtures.js';

const { fixtures } = loadFixtures();
const returnMnemonic = /^ret[qw]?(\s|$)/;

describe.each(fixtures.filter((f) => f.program === 'client'))('go$go $variant', (fx) => {
  it.concurrent.each([clientDoName, transportRoundTripName])(
    'decodes %s into exactly the instructions objdump shows',
    async (name) => {
      await using binary = await GoBinary.open(fx.absolutePath);
      const fn = await binary.findFunction(name);
      const lines = await objdump(fx.goarch, fx.absolutePath, fn.entry, fn.end);
      const code = await binary.readVirtual(fn.entry, fn.size);
      const sweep = fx.goarch === 'amd64' ? sweepAmd64(code, fn.entry) : sweepArm64(code, fn.entry);
      if ('undecodable' in sweep) throw new Error(sweep.undecodable);
      const actual = sweep.instructionOffsets.map((o) => fn.entry + o);
      const expected = lines.map((l) => l.address);
      const firstDifference = expected.findIndex((a, i) => actual[i] !== a);
      expect(
        firstDifference,
        `first difference near: ${lines
          .slice(Math.max(0, firstDifference - 2), firstDifference + 1)
          .map((l) => `${l.address.toString(16)} ${l.bytes.toString('hex')} ${l.text}`)
          .join(' | ')}`,
      ).toBe(-1);
      expect(actual).toEqual(expected);
    },
  );

  it.concurrent(`finds where ${clientDoName} loads g from TLS exactly when objdump shows an fs-relative load`, async () => {
    await using binary = await GoBinary.open(fx.absolutePath);
    const fn = await binary.findFunction(clientDoName);
    const head = (await objdump(fx.goarch, fx.absolutePath, fn.entry, fn.entry + 24))
      .slice(0, 2)
      .map((l) => l.text)
      .join('; ');
    const shown = /mov\s+(%fs:0x([0-9a-f]+),%rcx|\$0x([0-9a-f]+),%rcx; mov\s+%fs:\(%rcx\),%rcx)/.exec(head);
    const expected = shown ? Number(BigInt.asIntN(64, BigInt(`0x${shown[2] ?? shown[3]}`))) : undefined;
    expect(await binary.goroutineTlsOffset(fn)).toBe(expected);
    expect(expected === undefined).toBe(fx.goarch === 'arm64' || fx.go !== '1.15');
  });

  it.concurrent.each([clientDoName, transportRoundTripName])(
    'finds the return instructions objdump shows in %s',
    async (name) => {
      await using binary = await GoBinary.open(fx.absolutePath);
      const fn = await binary.findFunction(name);
      const lines = await objdump(fx.goarch, fx.absolutePath, fn.entry, fn.end);
      const sites = await binary.returnSites(fn);
      expect(sites.map((s) => s.address)).toEqual(
        lines.filter((l) => returnMnemonic.test(l.text)).map((l) => l.address),
      );
      expect(sites.every((s) => s.fileOffset - fn.fileOffset === s.address - fn.entry)).toBe(true);
    },
  );
});

describe.each(
  fixtures.filter((f) => f.program === 'client' && f.variant === 'default' && ['1.15', '1.27'].includes(f.go)),
)('go$go $variant', (fx) => {
  it('refuses a function that leaves by a tail jump (runtime.morestack_noctxt jumps to runtime.morestack)', async () => {
    await using binary = await GoBinary.open(fx.absolutePath);
    const fn = await binary.findFunction(
      fx.go === '1.15' ? 'runtime.morestack_noctxt' : 'runtime.morestack_noctxt.abi0',
    );
    expect(await codeOf(binary.returnSites(fn))).toBe('RETURNS_NOT_FOUND');
  });
});
