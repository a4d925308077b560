import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GoBinary } from './go-binary.js';
import { clientDoName, transportRoundTripName } from './http-probe-functions.js';
import { loadFixtures, nmAddress, type Fixture } from './test-support/fixtures.js';

const run = promisify(execFile);
const { fixtures } = loadFixtures();
const scratch = mkdtemp(join(tmpdir(), 'go-elf-stripped-'));
afterAll(async () => rm(await scratch, { recursive: true, force: true }));

/** GNU strip removes .symtab and DWARF (but keeps SHF_ALLOC sections such as .gopclntab and .go.buildinfo). */
async function gnuStrip(fx: Fixture): Promise<string> {
  const out = join(await scratch, `${fx.go}-${fx.variant}.gnu-strip`);
  await run(fx.goarch === 'amd64' ? 'strip' : 'aarch64-linux-gnu-strip', ['-o', out, fx.absolutePath]);
  return out;
}

/** A copy with e_shoff, e_shnum and e_shstrndx zeroed: no sections at all, only program headers. */
async function withoutSectionHeaders(fx: Fixture): Promise<string> {
  const out = join(await scratch, `${fx.go}-${fx.variant}.no-sections`);
  await copyFile(fx.absolutePath, out);
  const handle = await open(out, 'r+');
  await handle.write(Buffer.alloc(8), 0, 8, 40);
  await handle.write(Buffer.alloc(2), 0, 2, 60);
  await handle.write(Buffer.alloc(2), 0, 2, 62);
  await handle.close();
  return out;
}

async function facts(path: string) {
  await using binary = await GoBinary.open(path);
  const fn = await binary.findFunction(clientDoName);
  const info = await binary.buildInfo();
  return {
    goVersion: info.goVersion,
    settings: info.settings,
    main: info.main,
    entry: fn.entry,
    fileOffset: fn.fileOffset,
    probe: await binary.stackCheckEnd(fn),
    transportProbe: await binary.stackCheckEnd(await binary.findFunction(transportRoundTripName)),
  };
}

describe.each(fixtures)('go$go $variant', (fx) => {
  it.concurrent('gives the same build info, address and probe after GNU strip', async () => {
    const copy = await gnuStrip(fx);
    const stripped = await facts(copy);
    await using binary = await GoBinary.open(copy);
    expect(binary.hasSymtab).toBe(false);
    expect(binary.hasDwarf).toBe(false);
    expect(stripped).toEqual(await facts(fx.absolutePath));
    expect(stripped.entry).toBe(await nmAddress(fx.goroot, fx.twin.absolutePath, clientDoName));
  });

  it.concurrent('gives the same build info, address and probe with the section headers removed', async () => {
    const copy = await withoutSectionHeaders(fx);
    const bare = await facts(copy);
    expect(bare).toEqual(await facts(fx.absolutePath));
    expect(bare.entry).toBe(await nmAddress(fx.goroot, fx.twin.absolutePath, clientDoName));
    await using binary = await GoBinary.open(copy);
    expect((await binary.findFunction(clientDoName)).source).toBe('pclntab');
    expect(await binary.section('.gopclntab')).toBeUndefined();
  });
});
