import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startClient, type FixtureClient } from './test-support/fixture-client.js';
import { fixture, killRunningClis, requireFixture, startCliCommand, type CliResult } from './test-support/run-cli.js';
import { copyRuntime } from './test-support/runtime-copy.js';

const describeBpf = describe.runIf(runBpfTests);

/** What README "Privileges and requirements" names for tracing any process. */
const readmeSet = ['bpf', 'perfmon', 'sys_admin', 'sys_ptrace'];
/** The service's user (nobody) and the traced program's user: two different users, neither root. */
const serviceUid = 65534;
const otherUser = { uid: 4242, gid: 4242 };

/** setpriv as a dedicated service runs: uid 65534 holding exactly `caps`, as ambient capabilities. */
const asService = (caps: string[]): string[] => {
  const set = ['-all', ...caps.map((c) => `+${c}`)].join(',');
  return [
    'setpriv',
    `--reuid=${serviceUid}`,
    `--regid=${serviceUid}`,
    '--clear-groups',
    `--inh-caps=${set}`,
    `--ambient-caps=${set}`,
    `--bounding-set=${set}`,
    '--',
  ];
};

/** setpriv keeping uid 0 but cutting the capability sets to `caps` (a root tracer without the rest). */
const asRootWith = (caps: string[]): string[] => {
  const set = ['-all', ...caps.map((c) => `+${c}`)].join(',');
  return ['setpriv', `--inh-caps=${set}`, `--bounding-set=${set}`, '--'];
};

/** File capabilities in setcap's syntax, or setcap itself: never in the advice. */
const unsafeAdvice = /setcap|\bcap_[a-z_]+(,cap_[a-z_]+)*[+=]e/i;

describeBpf('CLI privileges: a dedicated service user with ambient capabilities (real BPF)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-cli-priv-'));
  chmodSync(dir, 0o755);
  const bin = copyRuntime(dir);
  const clientCopy = join(dir, 'client');
  copyFileSync(requireFixture(fixture('1.24', 'default')), clientCopy);
  chmodSync(clientCopy, 0o755);
  const clients: FixtureClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.kill();
    killRunningClis();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts a Go client (another user's, or root's), traces it with the CLI under `tracer`, and waits for both to end. */
  async function traceClient(
    tracer: string[],
    args: string[],
    owner: { uid: number; gid: number } | undefined,
  ): Promise<CliResult & { client: FixtureClient }> {
    const client = await startClient('basic', 1, owner ? { path: clientCopy, as: owner } : { path: clientCopy });
    clients.push(client);
    const cli = startCliCommand(
      [...tracer, process.execPath, bin, '-p', String(client.pid), ...args],
      {},
      {
        cwd: dir,
      },
    );
    await Promise.race([cli.stderrContains(`tracing pid ${client.pid}`), cli.exit]);
    client.release();
    const result = await cli.exit;
    return { ...result, client };
  }
  const traceOtherUser = (caps: string[], args: string[]) => traceClient(asService(caps), args, otherUser);

  /** The client's own record, as the CLI's NDJSON lines must show it. */
  const expectExactly = (r: CliResult & { client: FixtureClient }): void => {
    expect(r.client.sent).toHaveLength(5);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { pid: number; method: string; url: string; headers: object });
    expect(events.map((e) => ({ pid: e.pid, method: e.method, url: e.url, headers: e.headers }))).toEqual(
      r.client.sent.map((s) => ({ pid: r.client.pid, method: s.method, url: s.url, headers: s.headers })),
    );
  };

  it('with exactly the README set: --response --json prints what another user’s Go client sent and got', async () => {
    const r = await traceOtherUser(readmeSet, ['--json', '--response', '--show-secrets']);
    expect(r.code, r.stderr).toBe(0);
    await r.client.exited;
    expect(r.client.sent).toHaveLength(5);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { pid: number; method: string; url: string; headers: object; status: number });
    expect(
      events.map((e) => ({ pid: e.pid, method: e.method, url: e.url, headers: e.headers, status: e.status })),
    ).toEqual(
      r.client.sent.map((s) => ({
        pid: r.client.pid,
        method: s.method,
        url: s.url,
        headers: s.headers,
        status: s.status,
      })),
    );
  });

  it('without CAP_SYS_ADMIN: exits 77 naming it, with only safe advice', async () => {
    const r = await traceOtherUser(
      readmeSet.filter((c) => c !== 'sys_admin'),
      ['--json'],
    );
    expect(r.code).toBe(77);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^httpwatcher: tracing needs root, .*; this process \(uid 65534\) lacks CAP_SYS_ADMIN \(Linux \S+ creates uprobes only for CAP_SYS_ADMIN, since the fix for CVE-2025-38466\)\. Run it as root, or as a dedicated service whose ambient capabilities are exactly CAP_BPF CAP_PERFMON CAP_SYS_ADMIN CAP_SYS_PTRACE /,
    );
    expect(r.stderr).not.toMatch(unsafeAdvice);
  });

  it('without CAP_SYS_PTRACE: tracing another user’s process exits 77 naming it', async () => {
    const r = await traceOtherUser(
      readmeSet.filter((c) => c !== 'sys_ptrace'),
      ['--json'],
    );
    expect(r.code).toBe(77);
    expect(r.stderr).toContain(
      `httpwatcher: pid ${r.client.pid}: cannot read /proc/${r.client.pid}/exe (EACCES): reading a process of another user, or one holding capabilities that this process (uid 65534) lacks, needs CAP_SYS_PTRACE. Run it as root`,
    );
    expect(r.stderr).not.toMatch(unsafeAdvice);
  });

  it('a root tracer without CAP_SYS_PTRACE cannot read a root process holding more capabilities: 77 naming it', async () => {
    const r = await traceClient(asRootWith(readmeSet.filter((c) => c !== 'sys_ptrace')), ['--json'], undefined);
    expect(r.code).toBe(77);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `httpwatcher: pid ${r.client.pid}: cannot read /proc/${r.client.pid}/exe (EACCES): reading a process of another user, or one holding capabilities that this process (uid 0) lacks, needs CAP_SYS_PTRACE.`,
    );
    expect(r.stderr).not.toMatch(unsafeAdvice);
  });

  it('a root tracer holding the README set traces a root process holding every capability', async () => {
    const r = await traceClient(asRootWith(readmeSet), ['--json', '--show-secrets'], undefined);
    expect(r.code, r.stderr).toBe(0);
    await r.client.exited;
    expectExactly(r);
  });

  it('inspect of a file needs no capability: uid 65534 holding none', async () => {
    const r = await startCliCommand(
      [...asService([]), process.execPath, bin, 'inspect', '--json', clientCopy],
      {},
      { cwd: dir },
    ).exit;
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { goVersion: string };
    expect(report.goVersion).toMatch(/^go1\.24/);
  });
});
