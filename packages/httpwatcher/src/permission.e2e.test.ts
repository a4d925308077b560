import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFixture, type RunningFixture } from './test-support/fixtures.js';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { clientPath } from './test-support/lifecycle-fixtures.js';

// Dropping privileges needs them first: root (or CI, where this must run and pass).
const describeRoot = describe.runIf(runBpfTests);
const dist = join(__dirname, '..', 'dist', 'index.js');
/** The user the traced program runs as: not the tracer's, so /proc/<pid>/exe needs CAP_SYS_PTRACE. */
const otherUser = { uid: 4242, gid: 4242 };
/** What README "Privileges and requirements" names for tracing any process. */
const readmeSet = ['bpf', 'perfmon', 'sys_admin', 'sys_ptrace'];

/** setpriv keeping exactly `caps` for uid 0: inheritable and bounding sets cut, so exec grants no more. */
const keeping = (caps: string[]): string[] => {
  const set = ['-all', ...caps.map((c) => `+${c}`)].join(',');
  return ['setpriv', `--inh-caps=${set}`, `--bounding-set=${set}`, '--'];
};
const without = (cap: string): string[] => keeping(readmeSet.filter((c) => c !== cap));

/**
 * The script the restricted node runs, from the built package. `init`: Snooper.init() and close;
 * `init-past-check`: the same with the real binding passed explicitly, which skips init's own check.
 * `trace PID`: init({ response }), attach, print "attached", then every event until PID exits.
 * `attach PID`: init() and attach; `attach-past-init PID`: the same past init's check, so the
 * kernel's answer to the uprobe itself shows. `hold`: init() and attachAll({ hold: true }).
 */
const script = `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(dist)});
const { Snooper } = require(${JSON.stringify(dist)});
const [mode, pidText] = process.argv.slice(2);
const pid = Number(pidText);
const report = (o) => console.log(JSON.stringify(o));
const pastCheck = () => {
  const native = require('@httpwatcher/bpf-native');
  return { binding: { openTracer: native.openTracer, libbpfVersion: 'real' } };
};
try {
  if (mode === 'init' || mode === 'init-past-check') {
    await (await Snooper.init(mode === 'init' ? {} : pastCheck())).close();
    report({ ok: true });
  } else if (mode === 'trace') {
    const snoop = await Snooper.init({ response: true });
    await snoop.attach(pid);
    const events = [];
    const collected = (async () => { for await (const e of snoop.events()) events.push(e); })();
    report({ attached: true });
    for await (const n of snoop.lifecycle()) if (n.kind === 'exit' && n.pid === pid) break;
    await snoop.close();
    await collected;
    report({ events: events.map((e) => ({ pid: e.pid, method: e.method, url: e.url, headers: e.headers, status: e.status })) });
  } else if (mode === 'hold') {
    const snoop = await Snooper.init();
    try { await snoop.attachAll({ hold: true }); report({ ok: true }); } finally { await snoop.close(); }
  } else {
    const snoop = await Snooper.init(mode === 'attach-past-init' ? pastCheck() : {});
    try { await snoop.attach(pid); report({ ok: true }); } finally { await snoop.close(); }
  }
} catch (e) { report({ code: e.code, message: e.message }); }`;

interface Outcome {
  ok?: boolean;
  code?: string;
  message?: string;
  events?: Array<{ pid: number; method: string; url: string; headers: Record<string, string>; status?: number }>;
}

describeRoot('privileges (real BPF under setpriv, Linux capabilities kept per test)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-priv-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'run.mjs'), script, { mode: 0o644 });
  // A copy any user can run, wherever the checkout is.
  const client = join(dir, 'client');
  copyFileSync(clientPath(), client);
  chmodSync(client, 0o755);
  const fixtures: RunningFixture[] = [];
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.child.kill('SIGKILL');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (wrapper: string[], ...args: string[]): Outcome => {
    const result = spawnSync(wrapper[0]!, [...wrapper.slice(1), process.execPath, join(dir, 'run.mjs'), ...args], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const line = result.stdout.trim().split('\n').pop() ?? '';
    if (!line.startsWith('{'))
      throw new Error(`no result from ${wrapper.join(' ')}: ${result.stdout} ${result.stderr}`);
    return JSON.parse(line) as Outcome;
  };
  const otherUsersClient = async (): Promise<RunningFixture> => {
    const fixture = await startFixture(client, ['-scenario', 'basic'], otherUser);
    fixtures.push(fixture);
    return fixture;
  };

  it('uses the built package (run pnpm build first)', () => {
    expect(existsSync(dist)).toBe(true);
  });

  /** Traces another user's client under `wrapper` and requires exactly what it sent and got. */
  async function tracesExactly(wrapper: string[]): Promise<void> {
    const fixture = await otherUsersClient();
    const tracer = spawn(wrapper[0]!, [
      ...wrapper.slice(1),
      process.execPath,
      join(dir, 'run.mjs'),
      'trace',
      String(fixture.pid),
    ]);
    let stderr = '';
    tracer.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines: Outcome[] = [];
    const ended = new Promise<void>((resolve) => tracer.once('close', () => resolve()));
    let sent: Awaited<ReturnType<RunningFixture['go']>> | undefined;
    for await (const line of createInterface({ input: tracer.stdout })) {
      const outcome = JSON.parse(line) as Outcome & { attached?: boolean };
      if (outcome.attached) sent = await fixture.go();
      else lines.push(outcome);
    }
    await ended;
    expect(lines, stderr).toHaveLength(1);
    expect(sent?.exitCode).toBe(0);
    expect(sent?.sent).toHaveLength(5);
    expect(lines[0]!.events).toEqual(
      sent!.sent.map((s) => ({ pid: fixture.pid, method: s.method, url: s.url, headers: s.headers, status: s.status })),
    );
  }

  it('with exactly the README set (uid 0): traces another user’s Go client, request and response, exactly', async () => {
    await tracesExactly(keeping(readmeSet));
  });

  it('through capsh, dropping every capability but the README set: the same exact trace', async () => {
    const bounding = /^Bounding set =(.*)$/m.exec(spawnSync('capsh', ['--print'], { encoding: 'utf8' }).stdout)?.[1];
    const others = (bounding ?? '').split(',').filter((c) => c !== '' && !readmeSet.includes(c.replace(/^cap_/, '')));
    expect(others.length).toBeGreaterThan(10);
    await tracesExactly(['capsh', `--drop=${others.join(',')}`, '--', '-c', 'exec "$0" "$@"']);
  });

  it('attachAll({ hold }) needs CAP_KILL: refused without it (PERMISSION_DENIED naming it), accepted with it', () => {
    const refused = run(keeping(readmeSet), 'hold');
    expect(refused.code).toBe('PERMISSION_DENIED');
    expect(refused.message).toContain('CAP_KILL');
    expect(refused.message).not.toMatch(/setcap|\+ep/);
    expect(run(keeping([...readmeSet, 'kill']), 'hold')).toEqual({ ok: true });
  });

  it('without CAP_SYS_ADMIN: init refuses with PERMISSION_DENIED naming it, and advice without file capabilities', () => {
    const result = run(without('sys_admin'), 'init');
    expect(result.code).toBe('PERMISSION_DENIED');
    expect(result.message).toMatch(
      /; this process \(uid 0\) lacks CAP_SYS_ADMIN \(Linux \S+ creates uprobes only for CAP_SYS_ADMIN, since the fix for CVE-2025-38466\)\. Run it as root/,
    );
    expect(result.message).not.toMatch(/setcap|\+ep/);
    expect(result.message).toContain(
      'Run it as root, or as a dedicated service whose ambient capabilities are exactly',
    );
  });

  it('without CAP_SYS_ADMIN, past init: the kernel refuses the uprobe (EACCES) and the attach names CAP_SYS_ADMIN', async () => {
    const fixture = await otherUsersClient();
    const result = run(without('sys_admin'), 'attach-past-init', String(fixture.pid));
    expect(result.code).toBe('PERMISSION_DENIED');
    expect(result.message).toMatch(
      new RegExp(
        `^pid ${fixture.pid}: the kernel refused to create the uprobe \\(EACCES\\): Linux \\S+ creates uprobes only for CAP_SYS_ADMIN, since the fix for CVE-2025-38466; this process \\(uid 0\\) lacks CAP_SYS_ADMIN\\. Run it as root`,
      ),
    );
  });

  it('with CAP_SYS_ADMIN and CAP_SYS_PTRACE only, the same attach succeeds (the control)', async () => {
    const fixture = await otherUsersClient();
    expect(run(keeping(['sys_admin', 'sys_ptrace']), 'attach-past-init', String(fixture.pid))).toEqual({ ok: true });
  });

  it('without CAP_SYS_PTRACE: attaching another user’s process is refused naming CAP_SYS_PTRACE', async () => {
    const fixture = await otherUsersClient();
    const result = run(without('sys_ptrace'), 'attach', String(fixture.pid));
    expect(result.code).toBe('PERMISSION_DENIED');
    expect(result.message).toMatch(
      new RegExp(
        `^pid ${fixture.pid}: cannot read /proc/${fixture.pid}/exe \\(EACCES\\): .*needs CAP_SYS_PTRACE\\. Run it as root`,
      ),
    );
  });

  // Every capability gone (bounding set empty, so exec grants none even to uid 0): as unprivileged as an
  // ordinary user for BPF, while the checkout stays readable wherever CI cloned it.
  it('with every capability dropped: PERMISSION_DENIED naming CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN', () => {
    const result = run(['setpriv', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--'], 'init');
    expect(result.code).toBe('PERMISSION_DENIED');
    expect(result.message).toContain('this process (uid 0) lacks CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (Linux');
  });

  it('as root without CAP_BPF (and CAP_SYS_ADMIN), through capsh: PERMISSION_DENIED naming both', () => {
    const result = run(['capsh', '--drop=cap_bpf,cap_sys_admin', '--', '-c', 'exec "$0" "$@"'], 'init');
    expect(result.code).toBe('PERMISSION_DENIED');
    expect(result.message).toContain('this process (uid 0) lacks CAP_BPF and CAP_SYS_ADMIN (Linux');
  });

  it('with every capability dropped, past init: the kernel refuses the load (EPERM), PERMISSION_DENIED', () => {
    const result = run(
      ['setpriv', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--'],
      'init-past-check',
    );
    expect(result.code).toBe('PERMISSION_DENIED');
    expect(result.message).toMatch(
      /^the kernel refused to load the BPF program \(EPERM\) for this process \(uid 0\): loading needs CAP_BPF and CAP_PERFMON, .* Run it as root/,
    );
  });

  it('with CAP_BPF + CAP_PERFMON only, past init: loading and the exec/exit tracepoints succeed', () => {
    expect(run(keeping(['bpf', 'perfmon']), 'init-past-check')).toEqual({ ok: true });
  });

  it('as root with every capability: init() succeeds (the control)', () => {
    expect(run(['env'], 'init')).toEqual({ ok: true });
  });
});
