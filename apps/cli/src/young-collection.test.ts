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
  it('runs a minor collection at the 8,192nd request', async () => {
    const young = YoungCollection.start();
    for (let i = 0; i < 8191; i++) young.tick();
    const kinds = await collectionsDuring(() => young.tick());
    expect(kinds).toContain(constants.NODE_PERFORMANCE_GC_MINOR);
  });
});
