import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import { Snooper } from './snooper.js';
import { startFixture } from './test-support/fixtures.js';
import { recordingBinding } from './test-support/recording-binding.js';

if (!runBpfTests) console.warn('delivery.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const cell = builtFixtures(
  (c) => c.program === 'client' && c.goarch === 'amd64' && c.go === '1.25' && c.variant === 'default',
)[0];

/** The native batch limit (kMaxBatchBytes in packages/bpf-native/src/tracer.h). */
const batchLimitBytes = 256 << 10;
/** A drain stops after the record that crosses the limit; no record is larger than this. */
const largestRecordBytes = 16 << 10;

/**
 * Attaches to the bulk scenario, lets it send `n` requests and blocks this thread (so nothing is
 * drained) until it has exited: the whole run waits in the ring. `thenAtOnce` runs before the
 * event loop turns again. Resolves with the program's exit code.
 */
async function runWhileBlocked(snoop: Snooper, n: number, thenAtOnce: () => void = () => {}): Promise<number | null> {
  const client = await startFixture(cell!.absolutePath, ['-scenario', 'bulk', '-n', String(n)]);
  await snoop.attach(client.pid);
  const done = client.go();
  blockUntilExit(client.pid, 30_000);
  thenAtOnce();
  return (await done).exitCode;
}

/** Blocks this thread (and so the ring's drain) until the child has exited, at most `ms`. */
function blockUntilExit(pid: number, ms: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + ms;
  for (;;) {
    // Not reaped while this thread is blocked: the child is a zombie once it has exited.
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    if (state === 'Z' || Date.now() > deadline) return;
    Atomics.wait(cell, 0, 0, 20);
  }
}

describe.runIf(runBpfTests)('delivery from the kernel ring into JavaScript (real BPF)', () => {
  it('hands a backlog of megabytes over in bounded batches, losing nothing', async () => {
    expect(cell, 'go1.25/default fixture (run test-fixtures/build.sh)').toBeDefined();
    const batches: number[] = [];
    const snoop = await Snooper.init({ binding: recordingBinding((b) => batches.push(b.length)), maxQueue: 100_000 });
    try {
      const n = 10_000;
      // The whole run piles up in the 8 MiB ring.
      expect(await runWhileBlocked(snoop, n)).toBe(0);
      for (let i = 0; i < 100 && snoop.stats().events < n; i++) await new Promise((r) => setTimeout(r, 20));
      const stats = snoop.stats();
      expect(stats.hits).toBe(n);
      expect(stats.kernelDrops).toBe(0);
      expect(stats.events).toBe(n);
      const backlog = batches.reduce((a, b) => a + b, 0);
      expect(backlog).toBeGreaterThan(4 * batchLimitBytes);
      expect(Math.max(...batches)).toBeLessThan(batchLimitBytes + largestRecordBytes);
      expect(batches.filter((b) => b >= batchLimitBytes).length).toBeGreaterThanOrEqual(3);
    } finally {
      await snoop.close();
    }
  });

  it('flush() moves the whole backlog into the queue at once, past the batch limit', async () => {
    const snoop = await Snooper.init({ maxQueue: 100_000, flushIntervalMs: 600_000 });
    try {
      const n = 5_000;
      let before = 0;
      let after = 0;
      const exitCode = await runWhileBlocked(snoop, n, () => {
        before = snoop.stats().events;
        snoop.flush();
        after = snoop.stats().events;
      });
      // Synchronous: every request record already in the ring is an event now (the exit record
      // of the process may follow it).
      expect(after).toBe(n);
      expect(before).toBeLessThan(n);
      expect(exitCode).toBe(0);
    } finally {
      await snoop.close();
    }
  });

  it('loads the BPF program while a sampling profiler interrupts this thread every 100 µs', async () => {
    // SIGPROF arrives thousands of times during verification; the verifier gives up with EAGAIN
    // when a signal is pending, so loading must not be interruptible.
    const session = new Session();
    session.connect();
    const post = (method: string, params?: object) =>
      new Promise<void>((resolve, reject) =>
        session.post(method, params ?? {}, (error) => (error ? reject(error) : resolve())),
      );
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 100 });
    await post('Profiler.start');
    try {
      for (let i = 0; i < 3; i++) {
        const snoop = await Snooper.init();
        expect(snoop.stats().kernelDrops).toBe(0);
        await snoop.close();
      }
    } finally {
      await post('Profiler.stop');
      session.disconnect();
    }
  });
});
