import { describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import { Snooper } from './snooper.js';
import { runTraced } from './test-support/traced-run.js';

if (!runBpfTests) console.warn('ring-wrap.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const cell = builtFixtures(
  (c) => c.program === 'client' && c.goarch === 'amd64' && c.go === '1.24' && c.variant === 'default',
)[0];

describe.runIf(runBpfTests)('records that cross the end of the ring (real BPF)', () => {
  it('arrive whole: the addon maps the data pages once and joins the two pieces', async () => {
    expect(cell, 'go1.24/default fixture (run test-fixtures/build.sh)').toBeDefined();
    // Records of a few hundred bytes through 16 KiB: a record size that does not divide the ring
    // puts a record across its end at most turns.
    const snoop = await Snooper.init({ ringBufferBytes: 4096 * 4, flushIntervalMs: 1 });
    try {
      const n = 2_000;
      const run = await runTraced(snoop, cell!.absolutePath, ['-scenario', 'bulk', '-n', String(n)], 500);
      expect(run.exitCode).toBe(0);
      const stats = snoop.stats();
      expect(stats.hits).toBe(n);
      // Every record arrived or was counted (the process's exit record may be among the drops).
      expect(run.events.length + stats.kernelDrops).toBeGreaterThanOrEqual(n);
      expect(run.events.length + stats.kernelDrops).toBeLessThanOrEqual(n + 1);
      // The client outruns a 1 ms drain of 16 KiB, so some are dropped (counted); 500 records of
      // 330 bytes or more are ten turns of the ring.
      expect(run.events.length).toBeGreaterThanOrEqual(500);
      for (const event of run.events) {
        const seq = /^http:\/\/bulk\.invalid\/bulk\/(\d+)$/.exec(event.url)?.[1];
        expect(seq, event.url).toBeDefined();
        expect(event.method).toBe('GET');
        expect(event.headers['X-Seq']).toBe(seq);
      }
      expect(new Set(run.events.map((e) => e.url)).size).toBe(run.events.length);
    } finally {
      await snoop.close();
    }
  });
});
