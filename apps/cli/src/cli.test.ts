import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { cliBin, fixture, requireFixture, runCli } from './test-support/run-cli.js';

const needsBpf = process.env.CI === 'true' || process.getuid?.() === 0;

describe('httpwatcher CLI', () => {
  it('--version prints the package version and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('httpwatcher 0.1.0\n');
  });

  it('--help shows usage with examples and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('httpwatcher -p <pid>');
    expect(r.stdout).toContain('Examples:');
  });

  it('exits 2 with a usage message for a bad pid or no target', async () => {
    const bad = await runCli(['--pid', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--pid expects a positive integer, got "abc"');
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('nothing to trace');
  });

  it('inspect prints the build facts and the probe of a stripped binary', async () => {
    const r = await runCli(['inspect', requireFixture(fixture('1.24', 'stripped'))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^go version\s+go1\.24\.\d+$/m);
    expect(r.stdout).toMatch(/^stripped\s+true$/m);
    expect(r.stdout).toMatch(/^offsets\s+go1\.24 amd64 swiss \(table\)$/m);
    expect(r.stdout).toMatch(/^net\/http\.\(\*Client\)\.do\s+0x[0-9a-f]+ \(file offset 0x[0-9a-f]+, \d+ bytes, from pclntab\)$/m);
  });

  it('inspect --json gives the same address for a stripped binary and its unstripped twin', async () => {
    const a = JSON.parse((await runCli(['inspect', '--json', requireFixture(fixture('1.22', 'default'))])).stdout);
    const b = JSON.parse((await runCli(['inspect', '--json', requireFixture(fixture('1.22', 'stripped'))])).stdout);
    expect(a.clientDo.source).toBe('symtab');
    expect(b.clientDo.source).toBe('pclntab');
    expect(b.clientDo.address).toBe(a.clientDo.address);
    expect(b.layout).toEqual({ entry: 'go1.22 amd64 hmap', source: 'table' });
  });

  it('inspect of a file that is not Go fails with exit 1 and says so', async () => {
    const r = await runCli(['inspect', process.execPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Go/);
  });

  it.runIf(needsBpf)('--pid --json prints one NDJSON object per request, secrets redacted, and exits when the process does', async () => {
    const result = await traceFixture(['--json']);
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => `${e.method} ${new URL(e.url).pathname}`)).toEqual([
      'GET /v1/users',
      'POST /v1/users',
      'GET /healthz',
      'PUT /v1/items/7',
      'DELETE /v1/items/7',
    ]);
    expect(events[0].headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer ****' });
    expect(events[1].headers.Authorization).toBe('Basic ****');
    expect(events[0].pid).toBe(result.pid);
    expect(result.stderr).toContain('5 requests, 0 dropped by kernel, 0 dropped from queue');
  });

  it.runIf(needsBpf)('--show-secrets prints credentials; text output is "PID METHOD URL" plus " Key: Value" lines', async () => {
    const result = await traceFixture(['--show-secrets', '--color', 'never']);
    expect(result.code).toBe(0);
    const first = result.stdout.split('\n').slice(0, 3);
    expect(first[0]).toMatch(new RegExp(`^${result.pid} GET http://127\\.0\\.0\\.1:\\d+/v1/users\\?limit=10&sort=name$`));
    expect(first.slice(1)).toEqual([' Accept: application/json', ' Authorization: Bearer fixture-token-123']);
  });
});

/** Starts the basic fixture waiting, traces it with the CLI, lets it run, and returns the CLI's output. */
async function traceFixture(extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string; pid: number }> {
  const client = spawn(requireFixture(fixture('1.24', 'default')), ['-wait', '-scenario', 'basic'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve) =>
    createInterface({ input: client.stdout }).once('line', (l) => resolve((JSON.parse(l) as { pid: number }).pid)),
  );
  client.stdout.resume();
  const cli = spawn(process.execPath, [cliBin, '--pid', String(pid), ...extra]);
  let stdout = '';
  let stderr = '';
  cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  await new Promise<void>((resolve) =>
    cli.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('tracing pid')) resolve();
    }),
  );
  client.stdin.end('go\n');
  const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
  return { code, stdout, stderr, pid };
}
