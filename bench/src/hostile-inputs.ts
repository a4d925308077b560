import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BinaryAnalyzer, analyzeRequest, type BinaryAnalysisRequest } from '@httpwatcher/go-offsets';
import { hostileBinaries } from '../../packages/go-offsets/src/test-support/hostile-binaries.js';
import { ProbeConfigCache } from '../../packages/httpwatcher/src/resolve-process-binary.js';
import { median, nowMs } from './stats.js';
import { fmt, type Row } from './table.js';

const mib = 1 << 20;

export interface HostileInputResult {
  name: string;
  /** The error code the analysis ended in (each shape must end in a typed error). */
  code: string;
  expected: string;
  ms: number;
  peakRssGrowthMb: number;
  onDiskMb: number;
}

/** This thread's CPU time in ms (Linux schedstat): unlike wall time it does not count waiting for a CPU. */
function threadCpuMs(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

/**
 * Runs `work` while measuring the longest CPU stretch this (the event-loop) thread spent between two 1 ms
 * timer ticks, and the peak resident memory of the process.
 */
async function watched<T>(
  work: () => Promise<T>,
): Promise<{ result: T; longestStretchMs: number; peakGrowthMb: number }> {
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let longest = 0;
  let last = threadCpuMs();
  let running = true;
  const tick = () => {
    const now = threadCpuMs();
    longest = Math.max(longest, now - last);
    last = now;
    peak = Math.max(peak, process.memoryUsage().rss);
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  try {
    const result = await work();
    tick();
    return { result, longestStretchMs: longest, peakGrowthMb: (peak - rss0) / mib };
  } finally {
    running = false;
  }
}

async function codeOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return 'analysed';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/**
 * Issue 13: every crafted ELF/DWARF shape through the worker-thread analyzer (time, peak memory, typed
 * error), next to a real binary's analysis; and the event loop's longest CPU stretch through the worker
 * against the same analyses in this thread.
 */
export async function measureHostileInputs(
  realBinary: string,
  runs: number,
): Promise<{ rows: Row[]; notes: string[]; results: unknown }> {
  await using analyzer = new BinaryAnalyzer({ timeoutMs: 60_000 });
  const dir = await mkdtemp(join(tmpdir(), 'httpwatcher-bench-hostile-'));
  try {
    const real: BinaryAnalysisRequest = { path: realBinary };
    await analyzer.analyze(real); // the worker is started and warm for every figure below
    const realMs: number[] = [];
    let workerStretch = 0;
    let inThreadStretch = 0;
    // The facade's own path: open, fstat, analyse the descriptor in the worker, map to a ProbeConfig.
    let facadeStretch = 0;
    const throughFacade = async (path: string): Promise<void> => {
      const cache = new ProbeConfigCache((request) => analyzer.analyze(request)); // fresh: no cached result
      const { file } = await cache.forFile(path);
      await file.close();
    };
    for (let i = 0; i < runs; i++) {
      const t0 = nowMs();
      const w = await watched(() => analyzer.analyze(real));
      realMs.push(nowMs() - t0);
      workerStretch = Math.max(workerStretch, w.longestStretchMs);
      inThreadStretch = Math.max(inThreadStretch, (await watched(() => analyzeRequest(real))).longestStretchMs);
      facadeStretch = Math.max(facadeStretch, (await watched(() => throughFacade(realBinary))).longestStretchMs);
    }
    const results: HostileInputResult[] = [];
    for (const shape of hostileBinaries) {
      const path = join(dir, 'input');
      await shape.write(path);
      const onDiskMb = ((await stat(path)).blocks * 512) / mib;
      const t0 = nowMs();
      const w = await watched(() => codeOf(analyzer.analyze({ path })));
      const ms = nowMs() - t0;
      workerStretch = Math.max(workerStretch, w.longestStretchMs);
      inThreadStretch = Math.max(
        inThreadStretch,
        (await watched(() => codeOf(analyzeRequest({ path })))).longestStretchMs,
      );
      facadeStretch = Math.max(facadeStretch, (await watched(() => codeOf(throughFacade(path)))).longestStretchMs);
      results.push({
        name: shape.name,
        code: w.result,
        expected: shape.error.code,
        ms,
        peakRssGrowthMb: w.peakGrowthMb,
        onDiskMb,
      });
    }
    const worst = results.reduce((a, b) => (b.ms > a.ms ? b : a));
    const realMedian = median(realMs);
    const bounded = results.every((r) => r.code === r.expected && r.peakRssGrowthMb <= 64 + r.onDiskMb);
    const rows: Row[] = [
      {
        figure: `hostile input: slowest of ${results.length} crafted ELF/DWARF files (${worst.name})`,
        measured: `${fmt(worst.ms)} ms, +${fmt(worst.peakRssGrowthMb)} MB RSS, ${worst.code}`,
        baseline: `real ${fmt(realMedian)} ms (${realBinary.split('/').slice(-3).join('/')})`,
        ratio: `${fmt(worst.ms / realMedian, 1)} ×`,
        target: 'typed error, ≤ 64 MB + its bytes on disk',
        met: bounded,
      },
      {
        figure: 'event loop: longest CPU stretch of the main thread while analysing (real + crafted)',
        measured: `${fmt(workerStretch, 1)} ms (worker thread)`,
        baseline: `${fmt(inThreadStretch, 1)} ms analysed in the main thread`,
        ratio: `${fmt(inThreadStretch / workerStretch, 0)} ×`,
        target: '≤ 20 ms',
        met: workerStretch <= 20,
      },
      {
        figure: 'event loop: longest CPU stretch of the main thread resolving through the facade (real + crafted)',
        measured: `${fmt(facadeStretch, 1)} ms (ProbeConfigCache.forFile)`,
        baseline: `${fmt(inThreadStretch, 1)} ms analysed in the main thread`,
        ratio: `${fmt(inThreadStretch / facadeStretch, 0)} ×`,
        target: '≤ 20 ms',
        met: facadeStretch <= 20,
      },
    ];
    const notes = [
      `crafted inputs through the analyzer: ${results.map((r) => `${r.name}: ${fmt(r.ms)} ms, +${fmt(r.peakRssGrowthMb)} MB, ${r.code}`).join('; ')}`,
    ];
    return { rows, notes, results: { realMs, workerStretch, inThreadStretch, facadeStretch, hostile: results } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
