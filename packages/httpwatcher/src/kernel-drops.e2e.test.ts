import { describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import { Snooper } from './snooper.js';
import { watchExits } from './test-support/exit-watch.js';
import { runTraced } from './test-support/traced-run.js';

if (!runBpfTests) console.warn('kernel-drops.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const cell = builtFixtures(
  (c) => c.program === 'client' && c.goarch === 'amd64' && c.go === '1.24' && c.variant === 'default',
)[0];

describe.runIf(runBpfTests)('kernel drops (real BPF)', () => {
  it('counts every record lost to a full ring: records delivered + kernelDrops = records written', async () => {
    expect(cell, 'go1.24/default fixture (run test-fixtures/build.sh)').toBeDefined();
    // 16 KiB of ring and 16 KiB beyond it (the drain thread's limit) hold about a hundred records;
    // the JavaScript thread is blocked while the program runs, so nothing empties either.
    const ringBufferBytes = 4096 * 4;
    const snoop = await Snooper.init({ ringBufferBytes, spillBufferBytes: ringBufferBytes });
    const exits = watchExits(snoop);
    try {
      const n = 2_000;
      const run = await runTraced(snoop, cell!.absolutePath, ['-scenario', 'bulk', '-n', String(n)], 500, {
        blockJsThreadMs: 10_000,
      });
      await new Promise((r) => setTimeout(r, 50));
      await exits.stop();
      expect(run.exitCode).toBe(0);
      expect(run.bulk).toEqual({ kind: 'bulk', sent: n, ok: n });
      const stats = snoop.stats();
      expect(stats.hits).toBe(n);
      expect(stats.kernelDrops).toBeGreaterThan(0);
      expect(run.events.length).toBeGreaterThan(0);
      expect(run.events.length).toBeLessThan(n / 4);
      // The drain thread never held more than its limit but by the one record it always takes.
      expect(stats.spillPeakBytes).toBeGreaterThan(0);
      expect(stats.spillPeakBytes).toBeLessThanOrEqual(ringBufferBytes);
      // The ring also carries the process's exit record: every record arrived or was counted.
      const exitDelivered = exits.pids.includes(run.pid) ? 1 : 0;
      expect(run.events.length + exitDelivered + stats.exitsSwept + stats.kernelDrops).toBe(n + 1);
      expect(stats.queueDrops).toBe(0);
      // A full ring is not a busy scratch: no hit went without a slot.
      expect(stats.scratchDrops).toBe(0);
    } finally {
      await snoop.close();
    }
  });

  it('lets a process go whose exit record the full ring refused: the exit sweep finds it gone from /proc', async () => {
    // As above, the ring and the spill are full while the program runs and when it exits. With
    // responses, each call also writes a 56-byte response record, which fits where a request record
    // no longer does: the calls fill the ring to less than one response record's room, and the
    // 72-byte exit record is refused. The kernel deleted the entry all the same; user space learns
    // of the exit only by looking.
    const ringBufferBytes = 4096 * 4;
    const snoop = await Snooper.init({
      response: true,
      ringBufferBytes,
      spillBufferBytes: ringBufferBytes,
      exitSweepMs: 200,
    });
    const exits = watchExits(snoop);
    try {
      const run = await runTraced(snoop, cell!.absolutePath, ['-scenario', 'bulk', '-n', '2000'], 500, {
        blockJsThreadMs: 10_000,
      });
      expect(run.exitCode).toBe(0);
      for (let i = 0; i < 50 && snoop.processes().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      await exits.stop();
      expect(snoop.stats().kernelDrops).toBeGreaterThan(0);
      expect(snoop.processes()).toEqual([]);
      expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
      expect(snoop.stats().exitsSwept).toBe(1);
      expect(exits.notices.filter((n) => n.pid === run.pid)).toEqual([
        expect.objectContaining({ kind: 'exit', code: null, signal: null }),
      ]);
    } finally {
      await snoop.close();
    }
  });
});
