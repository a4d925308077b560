import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoBinary } from '@httpwatcher/go-elf';
import { BinaryAnalyzer, defaultLayoutTable, type BinaryAnalysisRequest } from '@httpwatcher/go-offsets';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import { inCi } from '@httpwatcher/test-support/gates';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { hostileBinaries } from '../../go-offsets/src/test-support/hostile-binaries.js';
import { type ResolveOptions, resolveBinary, ProbeConfigCache } from './resolve-process-binary.js';
import { codeOf } from './test-support/snooper-results.js';
import { toSnooperError } from './to-snooper-error.js';

// Issue 13 §5: under `--all` every exec'd file is analysed, so the facade must never parse a binary on
// the event loop. Every way this thread could parse one goes through a GoBinary opener: spied on here,
// none may run while the facade resolves real and crafted binaries (the worker has its own module copy).
const client = builtFixtures((f) => f.program === 'client' && f.go === '1.24' && f.variant === 'default')[0];
const benchLarge: Fixture | undefined = builtFixtures((f) => f.program === 'bench-large')[0];
const withoutGo124 = defaultLayoutTable.filter((e) => e.minor !== 'go1.24');

let analyzer: BinaryAnalyzer;
let requests: BinaryAnalysisRequest[];
let openers: MockInstance[];
let dir: string;

/** A cache that analyses in `analyzer`'s worker thread, recording each request. */
function workerCache(using: () => BinaryAnalyzer = () => analyzer): ProbeConfigCache {
  return new ProbeConfigCache((request) => {
    requests.push(request);
    return using().analyze(request);
  });
}

/** What the main thread would have resolved from the same file (run with the spies off). */
async function inThisThread(path: string, options: ResolveOptions = {}) {
  vi.restoreAllMocks();
  await using binary = await GoBinary.open(path);
  return await resolveBinary(binary, options);
}

beforeAll(async () => {
  analyzer = new BinaryAnalyzer({ timeoutMs: 120_000 }); // loaded CI: a slow analysis still ends in its own result
  dir = await mkdtemp(join(tmpdir(), 'hw-worker-'));
});
afterAll(async () => {
  await analyzer.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  requests = [];
  openers = (['open', 'fromDescriptor', 'openSource', 'fromReader'] as const).map((name) => vi.spyOn(GoBinary, name));
});
afterEach(() => vi.restoreAllMocks());

const parsedInThisThread = () => openers.reduce((calls, spy) => calls + spy.mock.calls.length, 0);

describe.runIf(client !== undefined || inCi)('ProbeConfigCache analyses in the worker thread', () => {
  const cases: Array<[string, () => string, ResolveOptions]> = [
    ['a fixture, layout from the table', () => client!.absolutePath, {}],
    ['a fixture, layout from its DWARF', () => client!.absolutePath, { layoutTable: withoutGo124 }],
  ];
  it.each(cases)(
    '%s: the same probe config, through the open descriptor, never parsed here',
    async (_, path, options) => {
      const { probeConfig, file } = await workerCache().forFile(path(), options);
      try {
        expect(parsedInThisThread()).toBe(0);
        expect(requests).toEqual([expect.objectContaining({ fd: file.fd, path: path() })]);
        expect(probeConfig.layoutSource).toBe(options.layoutTable ? 'dwarf' : 'table');
        expect(probeConfig).toEqual(await inThisThread(path(), options));
      } finally {
        await file.close();
      }
    },
  );

  // The 59 MB benchmark program (built by scripts/test-prerequisites.sh and `pnpm bench`).
  it.runIf(benchLarge !== undefined || inCi)('bench-large: the same probe config, never parsed here', async () => {
    const path = benchLarge!.absolutePath;
    const { probeConfig, file } = await workerCache().forFile(path);
    try {
      expect(parsedInThisThread()).toBe(0);
      expect(requests).toEqual([expect.objectContaining({ fd: file.fd })]);
      expect(probeConfig).toEqual(await inThisThread(path));
    } finally {
      await file.close();
    }
  });

  const crafted = hostileBinaries.filter((h) => !/DWARF entries|1,000,001|abbreviations/.test(h.name));
  it.each(crafted.map((h) => [h.name, h] as const))(
    'crafted: %s ends in a typed error, never parsed here',
    async (_, shape) => {
      const path = join(dir, 'crafted');
      await shape.write(path);
      const refused = workerCache()
        .forFile(path)
        .catch((error: unknown) => Promise.reject(toSnooperError(error)));
      expect(await codeOf(refused)).toBe('INVALID_BINARY'); // every shape is INPUT_TOO_LARGE or DWARF_CORRUPT
      await expect(refused).rejects.toMatchObject({ cause: { code: shape.error.code } });
      expect(requests).toHaveLength(1);
      expect(parsedInThisThread()).toBe(0);
    },
  );

  it('an analysis over its budget is ANALYSIS_BUDGET_EXCEEDED, and is not remembered as a property of the file', async () => {
    await using starved = new BinaryAnalyzer({ timeoutMs: 1 });
    let current = starved;
    const cache = workerCache(() => current);
    const path = client!.absolutePath;
    const refused = cache.forFile(path).catch((e: unknown) => Promise.reject(toSnooperError(e)));
    expect(await codeOf(refused)).toBe('ANALYSIS_BUDGET_EXCEEDED');
    await expect(refused).rejects.toThrow('expected the analysis to finish within 1 ms');
    current = analyzer;
    const { probeConfig, file } = await cache.forFile(path);
    await file.close();
    expect(probeConfig.layoutSource).toBe('table');
    expect(requests).toHaveLength(2);
    expect(parsedInThisThread()).toBe(0);
  });
});
