import { describe, expect, it } from 'vitest';
import { GoBinary } from './go-binary.js';
import { GoElfError } from './go-elf-error.js';
import { clientDoName } from './http-probe-functions.js';
import { defaultGoElfLimits, type GoElfLimits } from './input-limits.js';
import { inCi } from '@httpwatcher/test-support/gates';
import { loadFixtures } from './test-support/fixtures.js';

const { fixtures } = loadFixtures();
const cell = (go: string, variant: string) => fixtures.find((f) => f.go === go && f.variant === variant)!;

type Operation = 'open' | 'buildInfo' | 'findFunction' | 'debugInfo';

/** Each limit, set just below what a real fixture needs, and the first operation that needs more. */
const tightLimits: [keyof GoElfLimits, number, string, Operation][] = [
  ['maxSections', 10, 'default', 'open'],
  ['maxProgramHeaders', 2, 'default', 'open'],
  ['maxSectionNameTableBytes', 100, 'default', 'open'],
  ['maxNameBytes', 8, 'default', 'open'],
  ['maxReadBytes', 1000, 'default', 'open'],
  ['maxGoVersionBytes', 4, 'default', 'buildInfo'],
  ['maxModInfoBytes', 10, 'default', 'buildInfo'],
  ['maxSymbols', 100, 'default', 'findFunction'],
  ['maxFunctions', 100, 'stripped', 'findFunction'],
  ['maxCandidates', 0, 'stripped', 'findFunction'],
  ['maxRelocations', 10, 'pie', 'findFunction'],
  ['maxDynamicBytes', 16, 'pie', 'findFunction'],
  ['maxDecompressedBytes', 1000, 'default', 'debugInfo'],
];

async function failure(path: string, limits: Partial<GoElfLimits>, operation: Operation): Promise<unknown> {
  try {
    await using binary = await GoBinary.open(path, { limits });
    if (operation === 'buildInfo') await binary.buildInfo();
    if (operation === 'findFunction') await binary.findFunction(clientDoName);
    if (operation === 'debugInfo') await binary.section('.debug_info');
  } catch (error) {
    return error;
  }
  return undefined;
}

describe.skipIf(!inCi && fixtures.length === 0)('limits on counts and sizes read from the file', () => {
  it.each(tightLimits)(
    'enforces %s (set to %d) on the go1.24 %s fixture at %s',
    async (limit, value, variant, operation) => {
      const error = await failure(cell('1.24', variant).absolutePath, { [limit]: value }, operation);
      expect(GoElfError.isInstance(error) && error.code).toBe('INPUT_TOO_LARGE');
      expect((error as Error).message).toContain(`expected at most ${value.toLocaleString('en-US')}`);
      expect((error as Error).message).toContain(`raise limits.${limit}`);
    },
  );

  it('names every limit in that table', () => {
    expect(new Set(tightLimits.map(([limit]) => limit))).toEqual(new Set(Object.keys(defaultGoElfLimits)));
  });
});
