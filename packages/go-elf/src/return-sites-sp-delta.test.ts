import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FileReader } from './file-reader.js';
import { GoBinary } from './go-binary.js';
import { clientDoName } from './http-probe-functions.js';
import { sweepAmd64, sweepArm64 } from './return-sites.js';
import { loadFixtures } from './test-support/fixtures.js';
import { MemorySource } from './test-support/memory-source.js';

// Issue 13 §8: a RET is a return site only where the pclntab's SP-delta table says the frame is torn
// down. Every fixture cell agrees (return-sites.fixtures.test.ts finds exactly objdump's returns with the
// check in force); here, the instruction just before a real RET (the frame is still there, whatever the
// epilogue) is overwritten with a RET, which the decoder alone accepts and the SP deltas refuse.
const { fixtures } = loadFixtures();
const cells = fixtures.filter(
  (f) =>
    ['default', 'stripped', 'arm64-default', 'arm64-stripped'].includes(f.variant) &&
    ['1.15', '1.21', '1.27'].includes(f.go),
);
const sweep = (arch: string, code: Buffer, entry: number) =>
  arch === 'amd64' ? sweepAmd64(code, entry) : sweepArm64(code, entry);

describe.each(cells)('go$go $variant', (fx) => {
  it('refuses a RET where the pclntab says the frame is still there, which the decoder alone accepts', async () => {
    const bytes = await readFile(fx.absolutePath);
    await using real = await GoBinary.openSource(new MemorySource(bytes), fx.absolutePath, bytes.length);
    const fn = await real.findFunction(clientDoName);
    const returns = await real.returnSites(fn); // the real ones pass the check
    const code = await real.readVirtual(fn.entry, fn.size);
    const decoded = sweep(fx.goarch, code, fn.entry);
    if ('undecodable' in decoded) throw new Error(decoded.undecodable);
    const firstReturn = returns[0]!.address - fn.entry;
    const before = decoded.instructionOffsets[decoded.instructionOffsets.indexOf(firstReturn) - 1]!;
    // amd64: RET then NOPs over the whole instruction, so every later instruction still decodes in place.
    const ret =
      fx.goarch === 'amd64' ? [0xc3, ...Array<number>(firstReturn - before - 1).fill(0x90)] : [0xc0, 0x03, 0x5f, 0xd6];
    const patches = new Map(ret.map((b, i) => [fn.fileOffset + before + i, b]));

    await using forged = await GoBinary.fromReader(
      new FileReader(new MemorySource(bytes, bytes.length, patches), fx.absolutePath, bytes.length),
    );
    const forgedFn = await forged.findFunction(clientDoName);
    const forgedSweep = sweep(fx.goarch, await forged.readVirtual(fn.entry, fn.size), fn.entry);
    // What the check before the SP deltas saw: a clean decode with one more return, no jump out or astray.
    expect(forgedSweep).toMatchObject({ jumpsOut: [], jumpsMisaligned: [] });
    expect('returnOffsets' in forgedSweep && forgedSweep.returnOffsets).toEqual(
      [...returns.map((r) => r.address - fn.entry), before].sort((a, b) => a - b),
    );
    await expect(forged.returnSites(forgedFn)).rejects.toMatchObject({
      code: 'RETURNS_NOT_FOUND',
      message: expect.stringMatching(
        new RegExp(`frame is not torn down \\(SP delta not 0\\) at \\+0x${before.toString(16)} \\([1-9]\\d*\\)`),
      ),
    });
  });
});
