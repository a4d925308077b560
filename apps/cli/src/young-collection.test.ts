import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { YoungCollection } from './young-collection.js';

/** The kinds of the collections V8 reports while `run` runs, and a moment after. */
async function collectionsDuring(run: () => void): Promise<number[]> {
  const kinds: number[] = [];
  const observer = new PerformanceObserver((list) =>
    kinds.push(...list.getEntries().map((e) => (e as unknown as { detail: { kind: number } }).detail.kind)),
  );
  observer.observe({ entryTypes: ['gc'] });
  run();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return kinds;
}

describe('YoungCollection', () => {
  it('runs a minor collection once 8,192 requests arrived since the last', async () => {
    let arrived = 8191;
    const young = YoungCollection.start(() => arrived);
    try {
      young.check(); // 8,191 since the start: nothing yet
      arrived = 8192;
      expect(await collectionsDuring(() => young.check())).toContain(constants.NODE_PERFORMANCE_GC_MINOR);
    } finally {
      young.stop();
    }
  });
});
