import { describe, expect, it } from 'vitest';
import { GoBinary } from './go-binary.js';
import { sweepAmd64, sweepArm64 } from './return-sites.js';
import { goTool, loadFixtures, objdump } from './test-support/fixtures.js';

// Beyond net/http.(*Client).do: sampled functions plus the assembly that uses VEX/EVEX (AVX2, AVX-512).
const surveyed = new Set(['1.15/default', '1.27/default', '1.27/arm64-default']);
const sampleSize = 150;
const simd = /AVX|SSE|CLMUL|chacha20Poly1305|memmove|memclr/;
const { fixtures } = loadFixtures();

describe.each(fixtures.filter((f) => f.program === 'client' && surveyed.has(`${f.go}/${f.variant}`)))(
  'go$go $variant',
  (fx) => {
    it(`splits ${sampleSize} sampled and all SIMD functions into objdump's instructions and finds its returns`, async () => {
      const nm = await goTool(fx.goroot, ['tool', 'nm', '-sort', 'address', fx.absolutePath]);
      const names = nm
        .split('\n')
        .map((l) => /^\s*[0-9a-f]+ T (\S+)$/.exec(l)?.[1])
        .filter((n): n is string => n !== undefined);
      const step = Math.max(1, Math.floor(names.length / sampleSize));
      const sample = names.filter((n, i) => i % step === 0 || simd.test(n));
      await using binary = await GoBinary.open(fx.absolutePath);
      let vexOrEvex = 0;
      for (const name of sample) {
        const fn = await binary.findFunction(name);
        const lines = await objdump(fx.goarch, fx.absolutePath, fn.entry, fn.end);
        const code = await binary.readVirtual(fn.entry, fn.size);
        const sweep = fx.goarch === 'amd64' ? sweepAmd64(code, fn.entry) : sweepArm64(code, fn.entry);
        if ('undecodable' in sweep) throw new Error(`${name}: ${sweep.undecodable}`);
        expect(
          sweep.instructionOffsets.map((o) => fn.entry + o),
          name,
        ).toEqual(lines.map((l) => l.address));
        expect(
          sweep.returnOffsets.map((o) => fn.entry + o),
          name,
        ).toEqual(lines.filter((l) => /^ret/.test(l.text)).map((l) => l.address));
        vexOrEvex += lines.filter((l) => fx.goarch === 'amd64' && [0xc4, 0xc5, 0x62].includes(l.bytes[0]!)).length;
      }
      if (fx.goarch === 'amd64') expect(vexOrEvex).toBeGreaterThan(100);
    });
  },
);
