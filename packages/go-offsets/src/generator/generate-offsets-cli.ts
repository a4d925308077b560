// `pnpm offsets:generate --go 1.28 [--go 1.27] [--all-cached] [--replace]`: builds the probe with each toolchain,
// reads the layouts from its DWARF and writes data/go1.NN.json plus src/table/committed-data.ts.
import { parseArgs } from 'node:util';
import { generateDataFile } from './generate-data-file.js';
import { cachedToolchainMinors } from './go-toolchain.js';
import { mergeDataFile, readDataFile, writeCommittedDataModule, writeDataFile } from './write-data-file.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      go: { type: 'string', multiple: true },
      'all-cached': { type: 'boolean', default: false },
      replace: { type: 'boolean', default: false },
    },
  });
  const minors = [...(values.go ?? []), ...(values['all-cached'] ? cachedToolchainMinors() : [])].map((m) =>
    m.replace(/^go/, ''),
  );
  if (minors.length === 0 || minors.some((m) => !/^1\.\d+$/.test(m))) {
    console.error('usage: offsets:generate --go 1.NN [--go 1.MM …] | --all-cached   [--replace]');
    process.exitCode = 2;
    return;
  }
  const generated = await Promise.all(minors.map(async (m) => ({ m, fresh: await generateDataFile(m) })));
  for (const { m, fresh } of generated) {
    const committed = readDataFile(`go${m}`);
    const merged = mergeDataFile(committed, fresh, values.replace);
    writeDataFile(merged);
    const status = !committed ? 'new' : merged === fresh ? 'replaced' : 'unchanged';
    console.log(`data/go${m}.json: ${status}, ${fresh.entries.length} entries from ${fresh.toolchains.join(', ')}`);
  }
  writeCommittedDataModule();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
