import { describe, expect, it } from 'vitest';
import { FileReader } from './file-reader.js';
import { GoBinary } from './go-binary.js';
import { GoElfError } from './go-elf-error.js';
import { clientDoName } from './http-probe-functions.js';
import { inCi } from '@httpwatcher/test-support/gates';
import { loadFixtures } from './test-support/fixtures.js';
import { loadSeed, mutate, random, type FuzzInput, type FuzzSeed } from './test-support/fuzz-inputs.js';
import {
  buildInfoHead,
  compressedDebugInfo,
  hugeProgramHeaderCountHead,
  hugeSectionCountHead,
  pclntabHead,
  unterminatedSectionNames,
  zeroBomb,
} from './test-support/hostile-elf.js';

// `pnpm fuzz` runs 100 000 inputs and 25 000 crafted ones (vitest.fuzz.config.ts); `pnpm test` a short run.
const iterations = Number(process.env.FUZZ_ITERATIONS ?? 2000);
const hostileIterations = Number(process.env.FUZZ_HOSTILE_ITERATIONS ?? 500);
const baseSeed = Number(process.env.FUZZ_SEED ?? 20240601);
const perInputLimitMs = 5000;
const seedCells = [
  '1.15/stripped',
  '1.15/pie',
  '1.19/pie',
  '1.22/arm64-pie',
  '1.24/stripped',
  '1.26/arm64-stripped',
  '1.27/cgo-external',
  '1.27/pie',
];

/** Runs every public operation; a GoElfError is a fine outcome, anything else is a bug. */
async function exercise(input: FuzzInput): Promise<void> {
  const binary = await GoBinary.fromReader(new FileReader(input.source, 'fuzz-input', input.sizeBytes));
  try {
    const outcomes = [
      binary.buildInfo().then((info) => info.setting('GOARCH')),
      binary.findFunction(clientDoName).then((fn) => binary.stackCheckEnd(fn)),
      binary.section('.note.go.buildid'),
      binary.readVirtual(0x400000, 64),
      input.readsDebugInfo ? binary.section('.debug_info') : undefined,
    ];
    for (const outcome of await Promise.allSettled(outcomes)) {
      if (outcome.status === 'rejected' && !GoElfError.isInstance(outcome.reason)) throw outcome.reason;
    }
  } finally {
    await binary.close();
  }
}

async function withinLimit(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${perInputLimitMs} ms`)), perInputLimitMs);
  });
  try {
    await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Peak resident memory since the process started, in bytes. */
const peakRss = () => process.resourceUsage().maxRSS * 1024;
// No input may make the process's resident memory peak this far above where it stood before the run.
const peakGrowthBoundBytes = 256 << 20;

/** Feeds `count` inputs from `seeds` through every operation; returns failures and the peak memory growth. */
async function fuzz(
  seeds: FuzzSeed[],
  count: number,
  firstSeed: number,
): Promise<{ failures: string[]; peakGrowth: number }> {
  const before = Math.max(peakRss(), process.memoryUsage().rss);
  const failures: string[] = [];
  for (let i = 0; i < count && failures.length < 10; i++) {
    const seed = firstSeed + i;
    const next = random(seed);
    const input = mutate(seeds[Math.floor(next() * seeds.length)]!, next);
    try {
      await withinLimit(exercise(input));
    } catch (error) {
      if (!GoElfError.isInstance(error))
        failures.push(
          `FUZZ_SEED=${seed} (${input.description}): ${error instanceof Error ? error.stack : String(error)}`,
        );
    }
  }
  return { failures, peakGrowth: Math.max(0, peakRss() - before) };
}

describe('fuzzing with mutated fixtures', () => {
  const fixtures = loadFixtures().fixtures.filter((f) => seedCells.includes(`${f.go}/${f.variant}`));

  it(`ends every one of ${iterations} mutated inputs in a result or a GoElfError within ${perInputLimitMs} ms`, async (ctx) => {
    if (fixtures.length < seedCells.length && !inCi) ctx.skip('fuzz seeds missing: bash test-fixtures/build.sh');
    expect(fixtures.length).toBe(seedCells.length);
    const seeds = await Promise.all(fixtures.map((f) => loadSeed(`go${f.go}/${f.variant}`, f.absolutePath)));
    const started = performance.now();
    const { failures, peakGrowth } = await fuzz(seeds, iterations, baseSeed);
    const seconds = (performance.now() - started) / 1000;
    console.log(`fuzz: ${iterations} inputs from seed ${baseSeed} in ${seconds.toFixed(1)} s`);
    expect(failures).toEqual([]);
    expect(peakGrowth).toBeLessThan(peakGrowthBoundBytes);
  });
});

const mib = 1 << 20;

/** A crafted file held as its first bytes plus a size: the rest reads as zeros, like a sparse file. */
function craftedSeed(name: string, bytes: Buffer, sizeBytes?: number): FuzzSeed {
  return {
    name,
    bytes,
    ...(sizeBytes !== undefined && { sizeBytes }),
    hotspots: [{ offset: 0, length: Math.min(bytes.length, 0x3000) }],
    sections: [],
  };
}

const hostileSeeds = [
  craftedSeed('section count filling 64 MB', hugeSectionCountHead(64 * mib), 64 * mib),
  craftedSeed('program header count filling 64 MB', hugeProgramHeaderCountHead(64 * mib), 64 * mib),
  craftedSeed('60 MB modinfo claim', buildInfoHead(64 * mib, 60 * mib), 64 * mib),
  craftedSeed('5 million pclntab functions', pclntabHead(64 * mib, 5_000_000, clientDoName, 1), 64 * mib),
  craftedSeed('1 GiB zlib bomb in .debug_info', compressedDebugInfo('shf', zeroBomb(1 << 30), 1 << 30)),
  craftedSeed('1 GiB zlib bomb in .zdebug_info', compressedDebugInfo('zdebug', zeroBomb(1 << 30), 1 << 30)),
  craftedSeed('2 MB of unterminated section names', unterminatedSectionNames(64, 2 * mib)),
];

describe('fuzzing with mutated hostile shapes', () => {
  it(`ends every one of ${hostileIterations} mutated crafted inputs in a result or a GoElfError, within bounded memory`, async () => {
    const { failures, peakGrowth } = await fuzz(hostileSeeds, hostileIterations, baseSeed);
    expect(failures).toEqual([]);
    expect(peakGrowth).toBeLessThan(peakGrowthBoundBytes);
  });
});
