import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoElfError } from '@httpwatcher/go-elf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peakRssGrowth } from '../../../go-elf/src/test-support/bounded-run.js';
import { OffsetsError } from '../offsets-error.js';
import { fixtureRows, itWhen } from '../test-support/fixtures.js';
import { hostileBinaries } from '../test-support/hostile-binaries.js';
import { analyzeRequest, type BinaryAnalysisRequest } from './binary-analysis.js';
import { BinaryAnalyzer } from './binary-analyzer.js';

// The worker runs the built package: turbo builds before testing (run `pnpm build` before a focused run).
const workerUrl = new URL('../../dist/analysis-worker.js', import.meta.url);
const rows = fixtureRows();
const itFixtures = itWhen(rows.length > 0, 'test-fixtures/out/manifest.json lists no fixtures; run `pnpm fixtures`');
const row = (go: string, variant: string) => rows.find((r) => r.go === go && r.variant === variant)!;
const mib = 1 << 20;

/** The analysis, or the class and code of the error it ended in. */
async function outcome(run: Promise<unknown>): Promise<unknown> {
  try {
    return await run;
  } catch (error) {
    if (GoElfError.isInstance(error)) return { kind: 'GoElfError', code: error.code };
    if (error instanceof OffsetsError) return { kind: 'OffsetsError', code: error.code };
    throw error;
  }
}

let dir: string;
let analyzer: BinaryAnalyzer;
beforeAll(async () => {
  if (!existsSync(workerUrl)) throw new Error(`${workerUrl.pathname} is missing: run pnpm build first`);
  dir = await mkdtemp(join(tmpdir(), 'go-offsets-analyzer-'));
  // Generous: under a loaded CI machine a slow analysis must still end in its own error, not the timeout.
  analyzer = new BinaryAnalyzer({ workerUrl, timeoutMs: 120_000 });
});
afterAll(async () => {
  await analyzer.close();
  await rm(dir, { recursive: true, force: true });
});

describe('BinaryAnalyzer', () => {
  itFixtures(
    'analyses every fixture in its worker exactly as the same analysis in this thread does',
    async () => {
      for (const r of rows) {
        const request: BinaryAnalysisRequest = { path: r.absolutePath };
        const inWorker = await outcome(analyzer.analyze(request));
        expect({ fixture: r.path, analysis: inWorker }).toEqual({
          fixture: r.path,
          analysis: await outcome(analyzeRequest(request)),
        });
      }
      const amd64 = await analyzer.analyze({ path: row('1.24', 'default').absolutePath });
      expect([amd64.layout.entry, amd64.layout.source, amd64.probe.afterStackCheck]).toEqual([
        'go1.24 amd64 swiss',
        'table',
        true,
      ]);
    },
    600_000,
  );

  itFixtures('reads the file behind a descriptor even after its path names another file', async () => {
    const path = join(dir, 'swapped');
    await copyFile(row('1.24', 'default').absolutePath, path);
    const file = await open(path, 'r');
    try {
      await copyFile(row('1.15', 'default').absolutePath, `${path}.next`);
      await rename(`${path}.next`, path);
      const throughFd = await analyzer.analyze({ fd: file.fd, path });
      const byPath = await analyzer.analyze({ path });
      expect([throughFd.buildInfo.goVersion, byPath.buildInfo.goVersion]).toEqual([
        row('1.24', 'default').goVersion,
        row('1.15', 'default').goVersion,
      ]);
      // The descriptor stays open for the caller.
      expect((await file.stat()).isFile()).toBe(true);
    } finally {
      await file.close();
    }
  });

  itFixtures('refuses a binary of another architecture when asked to', async () => {
    const error = await outcome(
      analyzer.analyze({ path: row('1.24', 'arm64-default').absolutePath, expectArch: 'amd64' }),
    );
    expect(error).toEqual({ kind: 'GoElfError', code: 'UNSUPPORTED_MACHINE' });
  });

  itFixtures('stops an analysis past its time budget with BUDGET_EXCEEDED, and the next one runs', async () => {
    await using hasty = new BinaryAnalyzer({ workerUrl, timeoutMs: 1 });
    const error = await hasty.analyze({ path: row('1.24', 'default').absolutePath }).catch((e: unknown) => e);
    expect([(error as OffsetsError).code, (error as Error).message]).toEqual([
      'BUDGET_EXCEEDED',
      expect.stringContaining('raise the analyzer timeoutMs'),
    ]);
    expect((await analyzer.analyze({ path: row('1.24', 'default').absolutePath })).buildInfo.goVersion).toBe(
      row('1.24', 'default').goVersion,
    );
  });

  itFixtures('stops an analysis past its heap budget with BUDGET_EXCEEDED', async () => {
    await using small = new BinaryAnalyzer({ workerUrl, maxHeapMb: 2 });
    const error = await small
      .analyze({ path: row('1.24', 'default').absolutePath, layoutTable: [] })
      .catch((e: unknown) => e);
    expect([(error as OffsetsError).code, (error as Error).message]).toEqual([
      'BUDGET_EXCEEDED',
      expect.stringContaining('raise the analyzer maxHeapMb'),
    ]);
  });

  itFixtures('calls onWorkerExit once its idle worker has exited', async () => {
    let exits = 0;
    await using idle = new BinaryAnalyzer({ workerUrl, idleMs: 50, onWorkerExit: () => exits++ });
    await idle.analyze({ path: row('1.24', 'default').absolutePath });
    expect(exits).toBe(0);
    for (let waited = 0; exits === 0 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(exits).toBe(1);
  });

  it('fails queued analyses with ERR_CLOSED when closed, and closes once', async () => {
    const closing = new BinaryAnalyzer({ workerUrl });
    const pending = closing.analyze({ path: join(dir, 'never-read') }).catch((e: unknown) => e);
    await Promise.all([closing.close(), closing.close()]);
    expect(((await pending) as { code?: string }).code).toBe('ERR_CLOSED');
    expect(((await closing.analyze({ path: 'x' }).catch((e: unknown) => e)) as { code?: string }).code).toBe(
      'ERR_CLOSED',
    );
  });
});

describe('hostile binaries through the analyzer', () => {
  it.each(hostileBinaries)(
    '$name: $error.kind $error.code, within 64 MB beyond the bytes on disk',
    async ({ write, error }) => {
      const path = join(dir, 'hostile');
      await write(path);
      const onDiskBytes = (await stat(path)).blocks * 512;
      const { result, growthBytes } = await peakRssGrowth(() => outcome(analyzer.analyze({ path })));
      expect(result).toEqual(error);
      expect(growthBytes).toBeLessThan(64 * mib + onDiskBytes);
    },
    300_000,
  );
});
