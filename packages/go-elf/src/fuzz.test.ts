import { describe, expect, it } from 'vitest';
import { FileReader } from './file-reader.js';
import { GoBinary } from './go-binary.js';
import { GoElfError } from './go-elf-error.js';
import { clientDoName } from './inspect.js';
import { inCi } from '@httpwatcher/test-support/gates';
import { loadFixtures } from './test-support/fixtures.js';
import { loadSeed, mutate, random, type FuzzInput } from './test-support/fuzz-inputs.js';

// `pnpm fuzz` runs 100 000 inputs (vitest.fuzz.config.ts); `pnpm test` a short run.
const iterations = Number(process.env.FUZZ_ITERATIONS ?? 2000);
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

describe('fuzzing with mutated fixtures', () => {
  const fixtures = loadFixtures().fixtures.filter((f) => seedCells.includes(`${f.go}/${f.variant}`));

  it(`ends every one of ${iterations} mutated inputs in a result or a GoElfError within ${perInputLimitMs} ms`, async (ctx) => {
    if (fixtures.length < seedCells.length && !inCi) ctx.skip('fuzz seeds missing: bash test-fixtures/build.sh');
    expect(fixtures.length).toBe(seedCells.length);
    const seeds = await Promise.all(fixtures.map((f) => loadSeed(`go${f.go}/${f.variant}`, f.absolutePath)));
    const failures: string[] = [];
    const started = performance.now();
    for (let i = 0; i < iterations && failures.length < 10; i++) {
      const seed = baseSeed + i;
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
    const seconds = (performance.now() - started) / 1000;
    console.log(`fuzz: ${iterations} inputs from seed ${baseSeed} in ${seconds.toFixed(1)} s`);
    expect(failures).toEqual([]);
  });
});
