import { describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import { Snooper } from './snooper.js';
import { runTraced } from './test-support/traced-run.js';

if (!runBpfTests) console.warn('spill.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const cell = builtFixtures(
  (c) => c.program === 'client' && c.goarch === 'amd64' && c.go === '1.24' && c.variant === 'default',
)[0];

// 2,000 records of 330 bytes or more (over 660 KB) through a 256 KiB ring while the JavaScript
// thread is blocked for the whole run: only the addon's drain thread can make room. (At the
// client's full rate a 16 KiB ring fills in a quarter of a millisecond, less than it takes to wake
// a thread in a VM.)
// Past its limit, the ring fills and the kernel counts its drops: kernel-drops.e2e.
const n = 2_000;
const ringBufferBytes = 256 << 10;
const blockJsThreadMs = 10_000;

async function blockedRun() {
  const snoop = await Snooper.init({ ringBufferBytes });
  try {
    const run = await runTraced(snoop, cell!.absolutePath, ['-scenario', 'bulk', '-n', String(n)], 5_000, {
      blockJsThreadMs,
    });
    return { run, stats: snoop.stats() };
  } finally {
    await snoop.close();
  }
}

describe.runIf(runBpfTests)('the drain thread (real BPF, the JavaScript thread blocked)', () => {
  it('moves records out of a small ring while JavaScript does not run: every request arrives', async () => {
    expect(cell, 'go1.24/default fixture (run test-fixtures/build.sh)').toBeDefined();
    const { run, stats } = await blockedRun();
    expect(run.exitCode).toBe(0);
    expect(run.bulk).toEqual({ kind: 'bulk', sent: n, ok: n });
    expect(stats.hits).toBe(n);
    expect(stats.kernelDrops).toBe(0);
    // The thread held more than the ring could, and then gave it to JavaScript.
    expect(stats.spillPeakBytes).toBeGreaterThan(ringBufferBytes);
    const seqs = run.events.map((e) => Number(/\/bulk\/(\d+)$/.exec(e.url)?.[1])).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i));
    for (const event of run.events) expect(event.headers['X-Seq']).toBe(/\/bulk\/(\d+)$/.exec(event.url)?.[1]);
  });
});
