import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { itWhen } from '../test-support/fixtures.js';
import { generateDataFile } from './generate-data-file.js';
import { cachedToolchainMinors } from './go-toolchain.js';
import { paths } from './package-paths.js';
import { committedDataModuleSource, readDataFile } from './write-data-file.js';

// Every committed data file must be reproducible from its toolchain. Toolchains come from the cache that
// debian-archive.sh fills (and the fixtures use); regenerating builds the probe for every variant with
// GOCACHE warm, at most two builds at a time.
const committedMinors = readdirSync(paths.dataDir())
  .map((f) => /^go(1\.\d+)\.json$/.exec(f)?.[1])
  .filter((m): m is string => m !== undefined);
const cached = new Set(cachedToolchainMinors());

describe('generated data', () => {
  it('covers every toolchain in the cache', () => {
    expect([...cached].filter((m) => !committedMinors.includes(m))).toEqual([]);
  });

  it('is all imported by src/table/committed-data.ts', () => {
    expect(readFileSync(paths.committedDataModule(), 'utf8')).toBe(committedDataModuleSource());
  });

  for (const minor of committedMinors) {
    itWhen(
      cached.has(minor),
      `the Go ${minor} toolchain is not in the cache; run scripts/debian-archive.sh go ${minor}`,
    ).concurrent(
      `regenerates data/go${minor}.json identically from the cached toolchain`,
      async () => {
        const committed = readDataFile(`go${minor}`)!;
        const fresh = await generateDataFile(minor);
        expect(fresh.entries).toEqual(committed.entries);
        // A new patch release with unchanged layouts passes only once the generator has recorded it.
        expect(committed.toolchains).toContain(fresh.toolchains[0]);
      },
      120_000,
    );
  }
});
