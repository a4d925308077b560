import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { repoRoot } from '@httpwatcher/test-support/repo-root';

const dist = resolve(repoRoot, 'packages/go-elf/dist/index.js');

export type Step = 'buildInfo' | 'findFunction' | 'debugInfo';

export interface BoundedRun {
  /** `opened`, then per step `ok` or the GoElfError code (or the message of any other error). */
  outcomes: string[];
  /** Highest resident set size seen while the steps ran, minus the size just before. */
  peakRssGrowthBytes: number;
}

// CommonJS for `eval`; the built package is imported once the worker starts, before the baseline.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { GoBinary } = await import(workerData.dist);
  parentPort.postMessage('ready');
  await new Promise((go) => parentPort.once('message', go));
  const outcomes = [];
  const outcome = (e) => (e && e.code) || String(e);
  let binary;
  try {
    binary = await GoBinary.open(workerData.path);
    outcomes.push('opened');
  } catch (e) {
    outcomes.push(outcome(e));
  }
  for (const step of binary ? workerData.steps : []) {
    try {
      if (step === 'buildInfo') await binary.buildInfo();
      if (step === 'findFunction') await binary.findFunction('net/http.(*Client).do');
      if (step === 'debugInfo') await binary.section('.debug_info');
      outcomes.push('ok');
    } catch (e) {
      outcomes.push(outcome(e));
    }
  }
  await binary?.close();
  parentPort.postMessage(outcomes);
})();
`;

/**
 * Opens `path` with the built @httpwatcher/go-elf in a worker thread and runs `steps`, while this
 * thread samples the process's resident memory: the worker's allocations, Buffers included, show there.
 */
export async function runBounded(path: string, steps: Step[]): Promise<BoundedRun> {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
  const worker = new Worker(workerSource, { eval: true, workerData: { dist: pathToFileURL(dist).href, path, steps } });
  try {
    await new Promise<void>((ready, fail) => {
      worker.once('message', () => ready());
      worker.once('error', fail);
    });
    const { result, growthBytes } = await peakRssGrowth(
      () =>
        new Promise<string[]>((done, fail) => {
          worker.once('message', done);
          worker.once('error', fail);
          worker.postMessage('go');
        }),
    );
    return { outcomes: result, peakRssGrowthBytes: growthBytes };
  } finally {
    await worker.terminate();
  }
}

/** Runs `work` while sampling this process's resident memory every 2 ms: a worker thread's allocations show there. */
export async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growthBytes: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  try {
    const result = await work();
    return { result, growthBytes: Math.max(peak, process.memoryUsage().rss) - baseline };
  } finally {
    clearInterval(sampler);
  }
}
