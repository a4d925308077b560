import { runBpfTests } from '@httpwatcher/test-support/gates';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forgeBuildVersion } from '../../../packages/go-elf/src/test-support/forge-build-version.js';
import { escapeControls, escapeField } from './terminal-text.js';
import {
  expectedText,
  type HostileRequest,
  readHostileTruth,
  terminalControlsIn,
} from './test-support/hostile-output.js';
import { type CliResult, fixture, killRunningClis, requireFixture, runCli, startCli } from './test-support/run-cli.js';
import { scratchDir } from './test-support/scratch-dir.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.
const describeBpf = describe.runIf(runBpfTests);

afterEach(() => killRunningClis());

/** A file name a local user can give a program: OSC title, newline, DEL and C1 CSI. */
const hostileName = 'hostile\u001b]0;pwn\u0007\n\u007f\u009b2J';

let dir: string;
let exe: string;
beforeAll(() => {
  dir = scratchDir();
  exe = join(dir, hostileName);
  copyFileSync(requireFixture(fixture('1.24', 'default', 'hostile-client')), exe);
  chmodSync(exe, 0o755);
});

/** Runs the hostile program under the CLI with `args`; its ground truth goes to a file. */
async function traceHostile(args: string[]): Promise<CliResult & { truth: HostileRequest[] }> {
  const truthFile = join(dir, `truth-${Math.random().toString(36).slice(2)}.ndjson`);
  const r = await runCli([...args, '--', exe, '-truth', truthFile]);
  return { ...r, truth: readHostileTruth(truthFile) };
}

const headerLinesOf = (truth: readonly HostileRequest[]): number =>
  truth.reduce((n, t) => n + Object.keys(t.headers).length, 0);

const tracedPid = (stderr: string): number => Number(/tracing pid (\d+): started/.exec(stderr)?.[1]);

function expectNoTerminalControls(r: CliResult): void {
  expect(terminalControlsIn(r.bytes.stdout), 'stdout').toEqual([]);
  expect(terminalControlsIn(r.bytes.stderr), 'stderr').toEqual([]);
}

describeBpf('a traced program that attacks the terminal (real BPF, test-fixtures/hostile-client)', () => {
  it('text: every field escaped, one line per request plus one per header, naming the data exactly', async () => {
    const r = await traceHostile(['--show-secrets']);
    expect(r.code, r.stderr).toBe(0);
    expectNoTerminalControls(r);
    const pid = tracedPid(r.stderr);
    expect(r.stdout).toBe(expectedText(pid, r.truth));
    expect(r.stdout.split('\n').length - 1).toBe(r.truth.length + headerLinesOf(r.truth));
    expect(r.stdout.split('\n').filter((l) => l.startsWith(`${pid} `))).toHaveLength(r.truth.length);
    // The program's file name and the summary.
    expect(r.stderr).toContain(`httpwatcher: tracing pid ${pid}: started ${escapeControls(exe)} (go1.24.`);
    expect(r.stderr).toContain(
      `httpwatcher:   pid ${pid} (${escapeControls(basename(exe))}): ${r.truth.length} captured, ${r.truth.length} printed\n`,
    );
  });

  it('-t, credentials masked: still one line per request plus its headers, with no control byte', async () => {
    const r = await traceHostile(['-t']);
    expect(r.code, r.stderr).toBe(0);
    expectNoTerminalControls(r);
    const pid = tracedPid(r.stderr);
    const requestLines = r.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z /.test(l));
    expect(r.stdout.split('\n').length - 1).toBe(r.truth.length + headerLinesOf(r.truth));
    expect(requestLines.map((l) => l.replace(/^\S+ /, ''))).toEqual(
      expectedText(
        pid,
        r.truth.map((t) => ({ ...t, headers: {} })),
      )
        .trimEnd()
        .split('\n'),
    );
    expect(r.stdout).toContain('  Authorization: Bearer ****\n');
    expect(r.stdout).not.toContain(']0;tok');
  });

  it('--json: one object per request, DEL and C1 escaped too, equal to what the program sent', async () => {
    const r = await traceHostile(['--json', '--show-secrets']);
    expect(r.code, r.stderr).toBe(0);
    expectNoTerminalControls(r);
    const events = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { method: string; url: string; host: string | null; headers: object });
    expect(
      events.map((e) => ({ method: e.method, url: e.url, host: e.host ?? undefined, headers: e.headers })),
    ).toEqual(r.truth.map((t) => ({ method: t.method, url: t.url, host: t.host, headers: t.headers })));
    // The program really sent DEL and C1 (the check above would be empty otherwise).
    expect(r.stdout).toContain('\\u007f');
    expect(r.stdout).toContain('\\u009b');
  });

  it('--binary: the attach notice names the process by its escaped path', async () => {
    const cli = startCli(['--binary', exe]);
    await cli.stderrContains('tracing binary');
    const truthFile = join(dir, 'truth-binary.ndjson');
    const program = spawn(exe, ['-truth', truthFile], { stdio: 'ignore' });
    const pid = program.pid!;
    await new Promise((resolve) => program.on('exit', resolve));
    const truth = readHostileTruth(truthFile);
    await cli.stdoutLines(truth.length + headerLinesOf(truth));
    await cli.stderrContains(`tracing pid ${pid} (`);
    cli.child.kill('SIGINT');
    const r = await cli.exit;
    expect(r.code, r.stderr).toBe(0);
    expectNoTerminalControls(r);
    expect(r.stderr).toContain(`httpwatcher: tracing binary ${escapeControls(exe)} (go1.24.`);
    expect(r.stderr).toContain(`httpwatcher: tracing pid ${pid} (${escapeControls(exe)}, go1.24.`);
    expect(r.stdout.split('\n').filter((l) => l.startsWith(`${pid} `))).toHaveLength(truth.length);
  });

  it('inspect of the binary escapes its path in text and --json', async () => {
    const text = await runCli(['inspect', exe]);
    expect(text.code, text.stderr).toBe(0);
    expectNoTerminalControls(text);
    expect(text.stdout).toMatch(new RegExp(`^path +${escapeField(exe).replace(/[\\[\]().*+?^$|{}]/g, '\\$&')}$`, 'm'));
    const json = await runCli(['inspect', '--json', exe]);
    expect(json.code, json.stderr).toBe(0);
    expectNoTerminalControls(json);
    expect((JSON.parse(json.stdout) as { path: string }).path).toBe(exe);
  });

  it('a forged build info Go version with an OSC sequence is refused, shown escaped, by inspect and by tracing', async () => {
    const forged = join(dir, 'forged-version');
    writeFileSync(forged, await forgeBuildVersion(readFileSync(exe), 'go1.24.4-\u001b]0;x\u0007'), { mode: 0o755 });
    const quoted = '"go1.24.4-\\u001b]0;x\\u0007"';

    const inspect = await runCli(['inspect', forged]);
    expect(inspect.code).toBe(1);
    expectNoTerminalControls(inspect);
    expect(inspect.stderr).toContain(quoted);
    expect(inspect.stdout).toBe('');

    const traced = await runCli(['--', forged, '-truth', join(dir, 'truth-forged.ndjson')]);
    expect(traced.code).toBe(1);
    expectNoTerminalControls(traced);
    expect(traced.stderr).toContain(quoted);
    expect(traced.stdout).toBe('');
  });
});
