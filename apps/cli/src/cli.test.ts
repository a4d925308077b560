import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, requireFixture, runCli } from './test-support/run-cli.js';
import { scratchDir } from './test-support/scratch-dir.js';

const version = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
  .version;

describe('httpwatcher CLI without BPF', () => {
  it('--version prints the package version and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`httpwatcher ${version}\n`);
  });

  it('--help shows every option, examples and the exit codes on stdout', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const option of [
      '--pid',
      '--binary',
      '--all',
      '--count',
      '--duration',
      '--filter',
      '--color',
      '--output',
      '--json',
      '--format',
      '--har',
      '--timestamp',
      '--show-secrets',
      '--redact-header',
      '--redact-param',
      '--quiet',
      '--metrics',
      '--metrics-max-hosts',
      '--metrics-path',
      '--otlp',
      '--version',
    ]) {
      expect(r.stdout).toContain(option);
    }
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toMatch(/^Exit codes:$/m);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.stderr).toBe('');
  });

  it.each([
    [['--pid', 'abc'], '--pid expects a positive integer, got "abc"'],
    [['--pid', '0'], '--pid expects a positive integer, got "0"'],
    [[], 'nothing to trace'],
    [['-p', '1', '-c', '2x'], '--count expects a positive integer, got "2x"'],
    [['-p', '1', '-d', 'soon'], '--duration expects a positive duration'],
    [['-p', '1', '--filter', 'status=200'], 'unknown field "status"'],
    [['-p', '1', '--filter', 'method'], 'no "=" or "!="'],
    [['-p', '1', '--color', 'sometimes'], '--color expects auto, always or never, got "sometimes"'],
    [['-p', '1', '--format', 'har'], '--format expects text, json, curl, got "har"'],
    [['-p', '1', '--json', '--format', 'curl'], '--json and --format curl disagree'],
    [['-p', '1', '--har', '-'], '--har expects a file name'],
    [['top', '-p', '1', '--json'], 'top shows a live view; --json is for the request stream'],
    [['-p', '1', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['-p'], "Option '-p, --pid <value>' argument missing"],
    [['1234'], 'unexpected argument "1234"'],
    [['-p', '1', '--'], 'expected a command after "--"'],
    [['-p', '1', '--redact-header', 'X Auth'], 'a header name to redact must be printable ASCII without spaces'],
    [['-p', '1', '--redact-param', ''], 'a parameter name to redact must be printable ASCII without spaces'],
    [['-p', '1', '--redact-param', 'sso', '--show-secrets'], 'mask values that --show-secrets shows'],
    [['-p', '1', '--metrics', '9464'], '--metrics expects host:port'],
    [['-p', '1', '--metrics', ':9464', '--metrics-max-hosts', '0'], '--metrics-max-hosts expects a positive integer'],
    [['-p', '1', '--otlp', 'collector:4318'], '--otlp expects the collector'],
  ])('%j is bad usage: exit 2, "%s" on stderr, nothing on stdout', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('httpwatcher --help');
    expect(r.stdout).toBe('');
  });

  it('top without a terminal is bad usage (exit 2) that says so', async () => {
    const r = await runCli(['top', '-p', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'httpwatcher: top needs a terminal on stdin and stdout; for a pipe or a file, trace without "top"\n',
    );
  });

  it('exits 1 before loading anything when --output cannot be created', async () => {
    const missing = join(scratchDir(), 'no-such-dir', 'out.txt');
    const r = await runCli(['-p', '1', '-o', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot write to ${missing}`);
    expect(r.stderr).toContain('ENOENT');
  });

  it('-o refuses a symbolic link to a file the caller owns: exit 1, the file untouched', async () => {
    const dir = scratchDir();
    const target = join(dir, 'precious');
    writeFileSync(target, 'keep me\n', { mode: 0o644 });
    const link = join(dir, 'requests.txt');
    symlinkSync(target, link);
    const r = await runCli(['-p', '1', '-o', link]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `httpwatcher: refusing to write to ${link}: it is a symbolic link to ${target}; name the file itself (or - for stdout)\n`,
    );
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    expect(statSync(target).mode & 0o7777).toBe(0o644);
  });

  it('-o creates a new file readable by its owner only (0600)', async () => {
    const path = join(scratchDir(), 'requests.txt');
    // No such process: the file is created before anything is attached, then the trace fails.
    const r = await runCli(['-p', '4194304', '-o', path]);
    expect(r.code).not.toBe(0);
    expect(statSync(path).mode & 0o7777).toBe(0o600);
  });

  it('inspect prints the build facts and the probe of a stripped binary', async () => {
    const r = await runCli(['inspect', requireFixture(fixture('1.24', 'stripped'))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^go version\s+go1\.24\.\d+$/m);
    expect(r.stdout).toMatch(/^stripped\s+true$/m);
    expect(r.stdout).toMatch(/^offsets\s+go1\.24 amd64 swiss \(table\)$/m);
    expect(r.stdout).toMatch(
      /^net\/http\.\(\*Client\)\.do\s+0x[0-9a-f]+ \(file offset 0x[0-9a-f]+, \d+ bytes, from pclntab\)$/m,
    );
  });

  it('inspect shows the client and the transport probe sites and says both are present', async () => {
    const path = requireFixture(fixture('1.22', 'stripped'));
    const r = await runCli(['inspect', path]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse((await runCli(['inspect', '--json', path])).stdout);
    const at = (n: number) => `0x${n.toString(16)}`;
    const rows = r.stdout.split('\n').map((line) => line.replace(/\s{2,}/, '\t').split('\t'));
    const row = (key: string) => rows.find(([k]) => k === key)?.[1];
    expect(row('net/http.(*Transport).roundTrip')).toBe(
      `${at(json.transportRoundTrip.address)} (file offset ${at(json.transportRoundTrip.fileOffset)}, ${json.transportRoundTrip.size} bytes, from pclntab)`,
    );
    expect(row('transport probe')).toBe(
      `${at(json.transportRoundTrip.probeAddress)} (file offset ${at(json.transportRoundTrip.probeFileOffset)}, after the stack check)`,
    );
    expect(row('client probe')).toBe(
      `${at(json.clientDo.probeAddress)} (file offset ${at(json.clientDo.probeFileOffset)}, after the stack check)`,
    );
    expect(json.transportRoundTrip.probeAddress).not.toBe(json.clientDo.probeAddress);
    expect(row('coverage')).toBe(
      'client and transport: net/http.(*Client).do and net/http.(*Transport).roundTrip are both present; tracing probes net/http.(*Client).do, and with --transport net/http.(*Transport).roundTrip too (each redirect hop, as sent)',
    );
  });

  it('inspect of a program that only uses http.Transport says the client is absent', async () => {
    const r = await runCli(['inspect', requireFixture(fixture('1.24', 'default', 'transport-only'))]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^net\/http\.\(\*Client\)\.do\s+absent$/m);
    expect(r.stdout).not.toMatch(/^client probe/m);
    expect(r.stdout).toMatch(/^transport probe\s+0x[0-9a-f]+ \(file offset 0x[0-9a-f]+, after the stack check\)$/m);
    expect(r.stdout).toMatch(
      /^coverage\s+transport only: net\/http\.\(\*Client\)\.do is absent: the program sends requests only through http\.Transport .*; tracing probes net\/http\.\(\*Transport\)\.roundTrip with --transport and refuses it without$/m,
    );
  });

  it('inspect of a Go program with neither function fails with exit 1 naming both', async () => {
    const r = await runCli(['inspect', requireFixture(fixture('1.24', 'default', 'noclient'))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('expected net/http.(*Client).do or net/http.(*Transport).roundTrip, found neither');
  });

  it('inspect --json gives the same address for a stripped binary and its unstripped twin', async () => {
    const a = JSON.parse((await runCli(['inspect', '--json', requireFixture(fixture('1.22', 'default'))])).stdout);
    const b = JSON.parse((await runCli(['inspect', '--json', requireFixture(fixture('1.22', 'stripped'))])).stdout);
    expect(a.clientDo.source).toBe('symtab');
    expect(b.clientDo.source).toBe('pclntab');
    expect(b.clientDo.address).toBe(a.clientDo.address);
    expect(b.layout).toEqual({ entry: 'go1.22 amd64 hmap', source: 'table' });
  });

  it('inspect <pid> reads the running process through /proc and agrees with inspect <path>', async () => {
    const path = requireFixture(fixture('1.25', 'pie'));
    const client = spawn(path, ['-wait', '-scenario', 'basic'], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const pid = await new Promise<number>((resolve) =>
        createInterface({ input: client.stdout }).once('line', (l) => resolve((JSON.parse(l) as { pid: number }).pid)),
      );
      const byPid = JSON.parse((await runCli(['inspect', '--json', String(pid)])).stdout);
      const byPath = JSON.parse((await runCli(['inspect', '--json', path])).stdout);
      expect(byPid.goVersion).toMatch(/^go1\.25\./);
      expect(byPid.buildMode).toBe('pie');
      expect(byPid.clientDo).toEqual(byPath.clientDo);
      expect(byPid.layout).toEqual(byPath.layout);
    } finally {
      client.kill();
    }
  });

  it('inspect of a file that is not Go fails with exit 1 and says so', async () => {
    const r = await runCli(['inspect', process.execPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Go/);
  });
});
