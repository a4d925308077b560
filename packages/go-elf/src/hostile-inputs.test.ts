import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoBinary } from './go-binary.js';
import { clientDoName } from './http-probe-functions.js';
import { runBounded, type Step } from './test-support/bounded-run.js';
import { codeOf } from './test-support/error-code.js';
import {
  buildInfoHead,
  compressedDebugInfo,
  hugeProgramHeaderCountHead,
  hugeSectionCountHead,
  hugeSymtabHead,
  pclntabHead,
  unterminatedSectionNames,
  writeSparseFile,
  zeroBomb,
} from './test-support/hostile-elf.js';

const mib = 1 << 20;
const heapBoundBytes = 64 * mib;

interface Shape {
  name: string;
  /** Writes the input at `path` (sparse where it is large). */
  write: (path: string) => Promise<void>;
  step: Step | 'open';
  code: string;
}

const sparse = (sizeBytes: number, head: (size: number) => Buffer) => (path: string) =>
  writeSparseFile(path, sizeBytes, head(sizeBytes));
const bytes = (make: () => Buffer) => (path: string) => writeFile(path, make());

// Before the limits each of these took seconds to minutes and up to 2 GB (docs/input-limits.md).
const shapes: Shape[] = [
  {
    name: 'a 256 MB sparse file claiming 4 million section headers',
    write: sparse(256 * mib, hugeSectionCountHead),
    step: 'open',
    code: 'INPUT_TOO_LARGE',
  },
  {
    name: 'a 256 MB sparse file claiming 4.8 million program headers',
    write: sparse(256 * mib, hugeProgramHeaderCountHead),
    step: 'open',
    code: 'INPUT_TOO_LARGE',
  },
  {
    name: 'a 512 MB sparse .symtab of 22 million symbols',
    write: sparse(512 * mib, (size) => hugeSymtabHead(size, clientDoName)),
    step: 'findFunction',
    code: 'INPUT_TOO_LARGE',
  },
  {
    name: 'a 256 MB sparse .symtab within the limit, read in chunks',
    write: sparse(256 * mib, (size) => hugeSymtabHead(size, clientDoName)),
    step: 'findFunction',
    code: 'SYMBOL_NOT_FOUND',
  },
  {
    name: 'a 2 MB section-name table',
    write: bytes(() => unterminatedSectionNames(64, 2 * mib)),
    step: 'open',
    code: 'INPUT_TOO_LARGE',
  },
  {
    name: '4,096 sections named by one unterminated 512 KB run',
    write: bytes(() => unterminatedSectionNames(4096, 512 * 1024)),
    step: 'open',
    code: 'INPUT_TOO_LARGE',
  },
  {
    name: 'a build info modinfo claiming 200 MB of a 256 MB sparse file',
    write: sparse(256 * mib, (size) => buildInfoHead(size, 200 * mib)),
    step: 'buildInfo',
    code: 'INPUT_TOO_LARGE',
  },
  {
    name: 'a pclntab claiming 5 million functions in a 64 MB sparse file',
    write: sparse(64 * mib, (size) => pclntabHead(size, 5_000_000, clientDoName, 1)),
    step: 'findFunction',
    code: 'INPUT_TOO_LARGE',
  },
  {
    name: 'a pclntab name table holding the wanted name 1,100 times',
    write: sparse(4 * mib, (size) => pclntabHead(size, 1, clientDoName, 1100)),
    step: 'findFunction',
    code: 'INPUT_TOO_LARGE',
  },
  {
    name: 'an SHF_COMPRESSED .debug_info of 1 MB inflating to 1 GiB',
    write: bytes(() => compressedDebugInfo('shf', zeroBomb(1 << 30), 1 << 30)),
    step: 'debugInfo',
    code: 'INPUT_TOO_LARGE',
  },
  {
    name: 'a .zdebug_info of 1 MB inflating to 1 GiB',
    write: bytes(() => compressedDebugInfo('zdebug', zeroBomb(1 << 30), 1 << 30)),
    step: 'debugInfo',
    code: 'INPUT_TOO_LARGE',
  },
  {
    name: 'a compressed .debug_info claiming 4 KB that inflates to 1 GiB',
    write: bytes(() => compressedDebugInfo('shf', zeroBomb(1 << 30), 4096)),
    step: 'debugInfo',
    code: 'CORRUPT',
  },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'go-elf-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function outcome(path: string, step: Shape['step']): Promise<string> {
  const opened = GoBinary.open(path);
  if (step === 'open') return codeOf(opened);
  await using binary = await opened;
  // Awaited here: `binary` is closed when this scope ends.
  if (step === 'buildInfo') return await codeOf(binary.buildInfo());
  if (step === 'findFunction') return await codeOf(binary.findFunction(clientDoName));
  return await codeOf(binary.section('.debug_info'));
}

describe('hostile inputs end in a typed error', () => {
  it.each(shapes)('$name: $code', async (shape) => {
    const path = join(dir, 'input');
    await shape.write(path);
    expect(await outcome(path, shape.step)).toBe(shape.code);
  });
});

describe('hostile inputs stay within bounded memory', () => {
  it.each(shapes)('$name: less than 64 MB of resident memory', async (shape) => {
    const path = join(dir, 'bounded');
    await shape.write(path);
    const run = await runBounded(path, shape.step === 'open' ? [] : [shape.step]);
    expect(run.outcomes.at(-1)).toBe(shape.code);
    expect(run.peakRssGrowthBytes).toBeLessThan(heapBoundBytes);
  });
});
