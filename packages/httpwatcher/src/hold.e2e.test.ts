import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { Snooper } from './snooper.js';
import { stoppedDescendants } from './test-support/process-states.js';

const dist = join(__dirname, '..', 'dist', 'index.js');

// Every hold here is scoped to this test process's own descendants (holdSubtree): no process of
// anyone else on the machine can be stopped. Each program that should be held runs as a
// grandchild (through sh), since the tracer's own children are never held. While the test's
// event loop is blocked in execFileSync, only the guardian can resume a held process.
describe.runIf(runBpfTests)('attachAll({ hold }): no process stays stopped', () => {
  let snoop: Snooper | undefined;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hw-hold-'));
  });

  afterEach(async () => {
    await snoop?.close();
    snoop = undefined;
    rmSync(dir, { recursive: true, force: true });
    expect(stoppedDescendants()).toEqual([]);
  });

  it('the guardian resumes a held process at holdTimeoutMs while the tracer cannot, and counts it expired', async () => {
    snoop = await Snooper.init();
    await snoop.attachAll({ hold: true, holdSubtree: process.pid, holdTimeoutMs: 300 });
    const started = Date.now();
    // The event loop is blocked until sh returns: /bin/echo (a grandchild) is held, and no decision can come.
    const out = execFileSync('sh', ['-c', '/bin/echo resumed; exit 0'], { timeout: 10_000 }).toString();
    const elapsed = Date.now() - started;
    expect(out).toBe('resumed\n');
    expect(elapsed).toBeGreaterThanOrEqual(250); // the timeout, less one sweep of the guardian (30 ms)
    expect(elapsed).toBeLessThan(1_500);
    await new Promise((r) => setTimeout(r, 50)); // the exec record, then the decision
    snoop.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(snoop.stats()).toMatchObject({ holdsExpired: 1, holdsSkipped: 0 });
    expect(snoop.kernelEntries().held).toBe(0);
  });

  it('a full ring at exec: the process is not stopped (holdsSkipped), where it used to stay stopped for good', async () => {
    // A 4 KiB ring and 4 KiB beyond it hold about a hundred exec records: while the loop is
    // blocked, the drain thread stops at its limit and the ring fills.
    snoop = await Snooper.init({ ringBufferBytes: 4096, spillBufferBytes: 4096, flushIntervalMs: 600_000 });
    await snoop.attachAll({ hold: true, holdSubtree: process.pid, holdTimeoutMs: 60_000 });
    // The script execs itself 200 times (each exec reported, never held: it stays our child), which
    // fills the ring; then it runs /bin/echo as its child, which would be held.
    const script = join(dir, 'exec-chain');
    writeFileSync(script, '#!/bin/sh\nif [ "$1" -gt 0 ]; then exec "$0" $(($1 - 1)); fi\n/bin/echo done\n');
    chmodSync(script, 0o755);
    const out = execFileSync(script, ['200'], { timeout: 20_000 }).toString();
    expect(out).toBe('done\n'); // before the fix: echo stopped without a record, and this timed out
    snoop.flush();
    const stats = snoop.stats();
    expect(stats.kernelDrops).toBeGreaterThan(0);
    expect(stats.holdsSkipped).toBeGreaterThanOrEqual(1);
    expect(stats.holdsExpired).toBe(0); // not stopped at all, rather than stopped for 60 s
    expect(snoop.kernelEntries().held).toBe(0);
  });

  it('refuses hold with UNSUPPORTED_PID_NAMESPACE in a PID namespace of its own, before stopping anything', () => {
    const script = join(dir, 'in-pidns.mjs');
    writeFileSync(
      script,
      `const { Snooper } = await import(${JSON.stringify(dist)});
const snoop = await Snooper.init();
const code = await snoop.attachAll({ hold: true, holdSubtree: process.pid }).then(() => 'held', (e) => e.code);
const without = await snoop.attachAll({ holdSubtree: process.pid }).then(() => 'traced', (e) => e.code);
await snoop.close();
console.log(JSON.stringify({ pid: process.pid, code, without }));
`,
    );
    const run = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ pid: 1, code: 'UNSUPPORTED_PID_NAMESPACE', without: 'traced' });
  });
});
