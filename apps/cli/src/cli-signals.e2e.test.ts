import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { startClient, type FixtureClient } from './test-support/fixture-client.js';
import { killRunningClis, startCli } from './test-support/run-cli.js';
import { scratchDir } from './test-support/scratch-dir.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

const clients: FixtureClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.kill();
  killRunningClis();
});

const summaryCounts = (stderr: string): { captured: number; printed: number } => {
  const m = /(\d+) requests captured, (\d+) printed/.exec(stderr);
  if (!m) throw new Error(`no summary in:\n${stderr}`);
  return { captured: Number(m[1]), printed: Number(m[2]) };
};

describe.runIf(runBpfTests)('httpwatcher CLI signals (real BPF, real Go processes)', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'a first %s stops tracing, prints every captured request, and exits 0',
    async (signal) => {
      const client = await startClient('basic', 400);
      clients.push(client);
      const cli = startCli(['-p', String(client.pid), '--json']);
      await cli.stderrContains(`tracing pid ${client.pid}`);
      client.release();
      await cli.stdoutLines(20);
      cli.child.kill(signal);
      const r = await cli.exit;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`stopping: ${signal}`);
      const events = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { pid: number });
      expect(events.length).toBeGreaterThanOrEqual(20);
      expect(events.every((e) => e.pid === client.pid)).toBe(true);
      // Drained: everything that reached user space was printed, nothing was cut short.
      expect(summaryCounts(r.stderr)).toEqual({ captured: events.length, printed: events.length });
      expect(r.stdout.endsWith('\n')).toBe(true);
    },
  );

  it('a second SIGINT ends the command at once while the output is stuck', async () => {
    const fifo = join(scratchDir(), 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const client = await startClient('basic', 400);
    clients.push(client);
    const cli = startCli(['-p', String(client.pid), '--json', '-o', fifo]);
    // Opened but never read: once the pipe's buffer is full the CLI's writes cannot complete.
    const reader = await open(fifo, 'r');
    try {
      await cli.stderrContains(`tracing pid ${client.pid}`);
      client.release();
      // 1 000 requests make well over the 64 KiB a pipe buffers.
      await client.sentAtLeast(1000);
      cli.child.kill('SIGINT');
      await cli.stderrContains('stopping: SIGINT');
      expect(cli.child.exitCode).toBeNull();
      cli.child.kill('SIGINT');
      const r = await cli.exit;
      expect(r.signal).toBe('SIGINT');
      expect(r.code).toBeNull();
    } finally {
      await reader.close();
    }
  });
});
