import { describe, expect, it } from 'vitest';
import { GoBinary } from './go-binary.js';
import { GoElfError } from './go-elf-error.js';
import { goTool, loadFixtures, objdump } from './test-support/fixtures.js';

// Many functions per binary, each judged against objdump's own disassembly of its first instructions.
const surveyed = new Set([
  '1.15/default',
  '1.15/arm64-default',
  '1.24/default',
  '1.24/arm64-default',
  '1.27/default',
  '1.27/arm64-default',
]);
const sampleSize = 150;
const { fixtures } = loadFixtures();

/** The address after the stack-bound branch per objdump, or undefined when the function has no such check. */
function expectedProbe(arch: 'amd64' | 'arm64', lines: { address: number; text: string }[]): number | undefined {
  const head = lines.slice(0, 8);
  if (arch === 'amd64') {
    if (head.some((l) => l.text.includes('$0xfffffffffffffade'))) return undefined; // Go ≤1.16 huge-frame form, unsupported
    const cmp = head.findIndex((l) => /^cmp\s+0x1[08]\(%(r14|rcx)\),%(rsp|r12|rax)$/.test(l.text));
    if (cmp < 0 || !/^jbe\s/.test(head[cmp + 1]?.text ?? '')) return undefined;
    return head[cmp + 2]?.address;
  }
  if (!/^ldr\s+x\d+, \[x28, #(16|24)\]$/.test(head[0]?.text ?? '')) return undefined;
  const bls = head.findIndex((l) => /^b\.ls\s/.test(l.text));
  if (bls < 0 || !/^cmp\s/.test(head[bls - 1]?.text ?? '')) return undefined;
  if (head.slice(0, bls).some((l) => /\bx27\b/.test(l.text))) return undefined; // Go ≤1.16 huge-frame form, unsupported
  return head[bls + 1]?.address;
}

describe.each(fixtures.filter((f) => surveyed.has(`${f.go}/${f.variant}`)))('go$go $variant', (fx) => {
  it(`places the probe where objdump shows the end of the stack check, or refuses, for ${sampleSize} sampled functions`, async () => {
    const nm = await goTool(fx.goroot, ['tool', 'nm', '-sort', 'address', fx.absolutePath]);
    const names = nm
      .split('\n')
      .map((l) => /^\s*[0-9a-f]+ T (\S+)$/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined && /^[\w/.-]+\.[\w.()*]+$/.test(n) && !n.startsWith('go:'));
    const step = Math.max(1, Math.floor(names.length / sampleSize));
    const sample = names.filter((_, i) => i % step === 0).slice(0, sampleSize);
    await using binary = await GoBinary.open(fx.absolutePath);
    let recognised = 0;
    for (const name of sample) {
      const fn = await binary.findFunction(name);
      const lines = await objdump(fx.goarch, fx.absolutePath, fn.entry, Math.min(fn.end, fn.entry + 48));
      const expected = expectedProbe(fx.goarch, lines);
      const actual = await binary.stackCheckEnd(fn).then(
        (probe) => probe.address,
        (error: unknown) => {
          if (GoElfError.isInstance(error) && error.code === 'PROLOGUE_NOT_RECOGNISED') return undefined;
          throw error;
        },
      );
      expect(
        actual,
        `${name}: ${lines
          .slice(0, 6)
          .map((l) => l.text)
          .join('; ')}`,
      ).toBe(expected);
      if (actual !== undefined) recognised++;
    }
    expect(recognised).toBeGreaterThan(sampleSize / 3);
  });
});
