import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { fixture, killRunningClis, requireFixture, runCli } from './test-support/run-cli.js';
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

describe.runIf(runBpfTests)('httpwatcher CLI at full speed (real BPF, real Go processes)', () => {
  it(`prints every one of ${requests.toLocaleString('en-US')} requests made as fast as the client goes, exactly once, to a file`, {
    timeout: 300_000,
  }, async () => {
    const exe = requireFixture(fixture('1.24', 'default'));
    const out = join(scratchDir(), 'requests.ndjson');
    const r = await runCli(['--json', '-o', out, '--', exe, '-scenario', 'bulk', '-n', String(requests)]);
    expect(r.code, r.stderr).toBe(0);
    // The fixture's ground truth: how many requests it sent (its stdout is the CLI's with -o).
    const truth = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { kind: string; sent?: number; ok?: number });
    expect(truth).toContainEqual({ kind: 'bulk', sent: requests, ok: requests });
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
});
