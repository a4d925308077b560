import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { fixture, killRunningClis, requireFixture, runCli, startCli } from './test-support/run-cli.js';
import { scratchDir } from './test-support/scratch-dir.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

afterEach(() => killRunningClis());

const requests = 200_000;
const bulkUrl = /^http:\/\/bulk\.invalid\/bulk\/(\d+)$/;

/** What is wrong with the printed requests: each of 0..n-1 must be there exactly once, with its own X-Seq. */
function bulkProblems(lines: string[], n: number): string[] {
  const seen = new Uint8Array(n);
  const problems: string[] = [];
  for (const line of lines) {
    const e = JSON.parse(line) as { url: string; headers: Record<string, string> };
    const i = Number(bulkUrl.exec(e.url)?.[1]);
    if (!(i >= 0 && i < n)) problems.push(`unexpected request ${e.url}`);
    else if (seen[i] !== 0) problems.push(`request ${i} printed twice`);
    else if (e.headers['X-Seq'] !== String(i)) problems.push(`request ${i} with X-Seq ${e.headers['X-Seq']}`);
    if (i >= 0 && i < n) seen[i] = 1;
    if (problems.length >= 10) return problems;
  }
  for (let i = 0; i < n && problems.length < 10; i++) if (seen[i] === 0) problems.push(`request ${i} not printed`);
  return problems;
}

/** The fixture's own JSON lines. */
const truthOf = (stdout: string): Array<{ kind: string; sent?: number; ok?: number }> =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

describe.runIf(runBpfTests)('httpwatcher CLI at full speed (real BPF, real Go processes)', () => {
  it(`prints every one of ${requests.toLocaleString('en-US')} requests made as fast as the client goes, exactly once, to a file`, {
    timeout: 300_000,
  }, async () => {
    const exe = requireFixture(fixture('1.24', 'default'));
    const out = join(scratchDir(), 'requests.ndjson');
    const r = await runCli(['--json', '-o', out, '--', exe, '-scenario', 'bulk', '-n', String(requests)]);
    expect(r.code, r.stderr).toBe(0);
    // The fixture's ground truth: how many requests it sent (its stdout is the CLI's with -o).
    expect(truthOf(r.stdout)).toContainEqual({ kind: 'bulk', sent: requests, ok: requests });
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(bulkProblems(lines, requests)).toEqual([]);
    expect(lines).toHaveLength(requests);
    expect(r.stderr).toContain(
      `httpwatcher: ${requests} requests captured, ${requests} printed, 0 dropped by kernel, 0 dropped from queue, 0 incomplete reads\n`,
    );
    const pid = /tracing pid (\d+)/.exec(r.stderr)?.[1];
    expect(r.stderr).toContain(`httpwatcher:   pid ${pid} (client): ${requests} captured, ${requests} printed\n`);
  });

  it('writes up to a megabyte into a pipe whose reader reads only after the CLI has exited (grown from 64 KiB)', {
    timeout: 120_000,
  }, async () => {
    const exe = requireFixture(fixture('1.24', 'default'));
    const fifo = join(scratchDir(), 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const n = 2_000;
    const cli = startCli(['--json', '-o', fifo, '--', exe, '-scenario', 'bulk', '-n', String(n)]);
    const reader = createReadStream(fifo);
    reader.pause();
    // In a 64 KiB pipe the CLI's write would wait for this reader, and the CLI would not exit.
    const exited = await Promise.race([
      cli.exit,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 60_000).unref()),
    ]);
    expect(exited, 'the CLI did not exit while its pipe was not read').toBeDefined();
    expect(exited!.code, exited!.stderr).toBe(0);
    const chunks: Buffer[] = [];
    for await (const chunk of reader) chunks.push(chunk as Buffer);
    const output = Buffer.concat(chunks);
    expect(output.length).toBeGreaterThan(256 * 1024);
    expect(output.length).toBeLessThan(1 << 20);
    const lines = output.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(bulkProblems(lines, n)).toEqual([]);
  });

  // 500,000 records of the bulk fixture are more than the CLI's 64 MiB backlog holds. Under
  // --response requests are decoded to wait for their returns, and drop past the 1,024 queued.
  it.each([
    ['', [], 500_000],
    [' (--response: decoded requests)', ['--response'], 200_000],
  ])(
    'with its output stuck, drops past its backlog and says per process how many of the captured requests it dropped%s',
    {
      timeout: 300_000,
    },
    async (_case, options, n) => {
      const exe = requireFixture(fixture('1.24', 'default'));
      const fifo = join(scratchDir(), 'out.fifo');
      execFileSync('mkfifo', [fifo]);
      const cli = startCli(['--json', ...options, '-o', fifo, '--', exe, '-scenario', 'bulk', '-n', String(n)]);
      // Opened, but read only once the client is done: until then the CLI's writes cannot complete.
      const reader = createReadStream(fifo);
      reader.pause();
      // The fixture's summary line (its stdout is the CLI's with -o): every request was made.
      await cli.stdoutLines(1);
      let lines = 0;
      reader.on('data', (d: Buffer | string) => {
        for (let i = d.indexOf('\n'); i >= 0; i = d.indexOf('\n', i + 1)) lines++;
      });
      reader.resume();
      const r = await cli.exit;
      expect(r.code, r.stderr).toBe(0);
      expect(truthOf(r.stdout)).toContainEqual({ kind: 'bulk', sent: n, ok: n });
      const total = /(\d+) requests captured, (\d+) printed, (\d+) dropped by kernel, (\d+) dropped from queue/.exec(
        r.stderr,
      );
      const pid = /tracing pid (\d+)/.exec(r.stderr)?.[1];
      const mine = new RegExp(
        `pid ${pid} \\(client\\): (\\d+) captured, (\\d+) printed, (\\d+) dropped from queue\n`,
      ).exec(r.stderr);
      expect(total, r.stderr).not.toBeNull();
      expect(mine, r.stderr).not.toBeNull();
      const [captured, printed, kernelDrops, queueDrops] = total!.slice(1).map(Number) as [
        number,
        number,
        number,
        number,
      ];
      const [pidCaptured, pidPrinted, pidDropped] = mine!.slice(1).map(Number) as [number, number, number];
      expect(queueDrops).toBeGreaterThan(0);
      // Dropped only past the 64 MiB backlog, not past the 1,024 queued: tens of thousands waited.
      expect(printed).toBeGreaterThan(10_000);
      expect(captured + kernelDrops).toBe(n);
      expect([pidCaptured, pidPrinted, pidDropped]).toEqual([captured, printed, queueDrops]);
      expect(printed + queueDrops).toBe(captured);
      expect(lines).toBe(printed);
    },
  );
});
