import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { fixture, killRunningClis, requireFixture, startCli } from './test-support/run-cli.js';
import { scratchDir } from './test-support/scratch-dir.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

afterEach(killRunningClis);

interface Sent {
  kind: string;
  method: string;
  url: string;
}
const sentIn = (text: string): Sent[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Sent)
    .filter((m) => m.kind === 'request');
const eventsIn = (text: string): { pid: number; method: string; url: string }[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** A private copy of the fixture, so processes of the same file started elsewhere cannot join in. */
function privateClient(): string {
  const copy = join(scratchDir(), 'client');
  copyFileSync(requireFixture(fixture('1.24', 'default')), copy);
  return copy;
}

/** Runs the fixture to its end without -wait; resolves with its pid and what it sent. */
function runClient(path: string): Promise<{ pid: number; sent: Sent[] }> {
  const child = spawn(path, ['-scenario', 'basic'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', () => resolve({ pid: child.pid!, sent: sentIn(out) })));
}

describe.runIf(runBpfTests)('httpwatcher CLI targets (real BPF, real Go processes)', () => {
  it('-- command traces a program from its first request and exits when it does, its stdout kept off a piped stdout', async () => {
    const cli = startCli(['--json', '--', requireFixture(fixture('1.24', 'default')), '-scenario', 'basic']);
    const r = await cli.exit;
    expect(r.code, r.stderr).toBe(0);
    const sent = sentIn(r.stderr);
    expect(sent).toHaveLength(5);
    expect(eventsIn(r.stdout).map((e) => `${e.method} ${e.url}`)).toEqual(sent.map((s) => `${s.method} ${s.url}`));
    expect(r.stderr).toMatch(/stopping: pid \d+ exited \(exit code 0\)/);
  });

  it('-- command with -o: requests go to the file and the program keeps its stdout', async () => {
    const file = join(scratchDir(), 'requests.ndjson');
    const r = await startCli([
      '--json',
      '-o',
      file,
      '--',
      requireFixture(fixture('1.24', 'default')),
      '-scenario',
      'basic',
    ]).exit;
    expect(r.code, r.stderr).toBe(0);
    const sent = sentIn(r.stdout);
    expect(sent).toHaveLength(5);
    expect(eventsIn(readFileSync(file, 'utf8')).map((e) => e.url)).toEqual(sent.map((s) => s.url));
  });

  it("-- command exits with the program's exit code", async () => {
    const r = await startCli(['--', requireFixture(fixture('1.24', 'default')), '-scenario', 'no-such-scenario']).exit;
    // The fixture rejects an unknown scenario with exit 2 before sending anything.
    expect(r.stderr).toContain('unknown scenario "no-such-scenario"');
    expect(r.stderr).toMatch(/stopping: pid \d+ exited \(exit code 2\)/);
    expect(r.code).toBe(2);
  });

  it('-- command: a first SIGINT waits for the program, which is still traced to its end', async () => {
    // -wait reads a line from stdin, which the program shares with the CLI.
    const cli = startCli(['--json', '--', requireFixture(fixture('1.24', 'default')), '-wait', '-scenario', 'basic']);
    await cli.stderrContains('"kind":"ready"');
    cli.child.kill('SIGINT');
    await cli.stderrContains('SIGINT: waiting for pid');
    cli.child.stdin.end('go\n');
    const r = await cli.exit;
    expect(r.code, r.stderr).toBe(0);
    expect(eventsIn(r.stdout)).toHaveLength(5);
  });

  it('-- command with a program that does not exist exits 1 and says so', async () => {
    const r = await startCli(['--', '/nonexistent/program']).exit;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/program');
  });

  it('--binary traces every process of the file started after it, until interrupted', async () => {
    const path = privateClient();
    const cli = startCli(['--json', '--binary', path]);
    await cli.stderrContains(`tracing binary ${path}`);
    const [a, b] = await Promise.all([runClient(path), runClient(path)]);
    await cli.stdoutLines(10);
    cli.child.kill('SIGINT');
    const r = await cli.exit;
    expect(r.code, r.stderr).toBe(0);
    const events = eventsIn(r.stdout);
    for (const run of [a, b]) {
      expect(events.filter((e) => e.pid === run.pid).map((e) => e.url)).toEqual(run.sent.map((s) => s.url));
      expect(r.stderr).toContain(`pid ${run.pid} (client): 5 captured, 5 printed`);
    }
  });

  it('--all traces a Go process started after it', async () => {
    const client = spawn(privateClient(), ['-wait', '-scenario', 'demo'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    client.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // Other Go programs on the machine are traced too: keep to the demo scenario's one POST path.
    const cli = startCli(['--json', '--all', '--filter', 'path=/v1/orders']);
    try {
      await cli.stderrContains(`tracing pid ${client.pid} (`);
      client.stdin.end('go\n');
      await new Promise((resolve) => client.on('close', resolve));
      await cli.stdoutLines(1);
      cli.child.kill('SIGINT');
      const r = await cli.exit;
      expect(r.code, r.stderr).toBe(0);
      const sent = sentIn(out).filter((s) => s.url.includes('/v1/orders'));
      expect(sent).toHaveLength(1);
      expect(
        eventsIn(r.stdout)
          .filter((e) => e.pid === client.pid)
          .map((e) => `${e.method} ${e.url}`),
      ).toEqual([`${sent[0]!.method} ${sent[0]!.url}`]);
      expect(r.stderr).toMatch(new RegExp(`pid ${client.pid} \\(client\\): \\d+ captured, 1 printed`));
    } finally {
      client.kill('SIGKILL');
    }
  });
});
