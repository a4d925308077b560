import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { redacted } from './test-support/expected-redaction.js';
import { startClient, type FixtureClient, type SentRequest } from './test-support/fixture-client.js';
import { cliBin, killRunningClis, plainEnv, runCli, startCli, type CliResult } from './test-support/run-cli.js';
import { scratchDir } from './test-support/scratch-dir.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

const clients: FixtureClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.kill();
  killRunningClis();
});

/** Starts the basic fixture, traces it with the CLI, releases it once tracing, and waits for the CLI to end. */
async function traceBasic(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult & { pid: number; sent: SentRequest[] }> {
  const client = await startClient('basic');
  clients.push(client);
  const cli = startCli(['-p', String(client.pid), ...args], env);
  await cli.stderrContains(`tracing pid ${client.pid}`);
  client.release();
  const result = await cli.exit;
  await client.exited;
  return { ...result, pid: client.pid, sent: client.sent };
}

const pathOf = (url: string): string => new URL(url).pathname;

describe.runIf(runBpfTests)('httpwatcher CLI tracing (real BPF, real Go processes)', () => {
  it('--json prints one object per request, equal to what the program sent with credentials masked', async () => {
    const r = await traceBasic(['--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.sent).toHaveLength(5);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => ({ method: e.method, url: e.url, headers: e.headers }))).toEqual(
      r.sent.map((s) => ({ method: s.method, url: s.url, headers: redacted(s.headers) })),
    );
    expect(events[0].headers.Authorization).toMatch(/^Bearer \*\*\*\*$/);
    expect(r.stdout).not.toContain(r.sent[0]!.headers.Authorization!.split(' ')[1]);
    for (const e of events) {
      expect(Object.keys(e)).toEqual([
        'time',
        'pid',
        'nsPid',
        'tid',
        'goid',
        'method',
        'url',
        'host',
        'headers',
        'headerCount',
        'userinfo',
        'truncated',
        'incomplete',
      ]);
      expect(e.pid).toBe(r.pid);
    }
  });

  it('--redact-header and --redact-param mask the names they add, beside the built-in ones', async () => {
    const r = await traceBasic(['--json', '--redact-header', 'x-request-*', '--redact-param', 'sort']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.sent).toHaveLength(5);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const added = (headers: Record<string, string>): Record<string, string> =>
      Object.fromEntries(
        Object.entries(redacted(headers)).map(([k, v]) => [k, k.toLowerCase().startsWith('x-request-') ? '****' : v]),
      );
    expect(events.map((e) => ({ url: e.url, headers: e.headers }))).toEqual(
      r.sent.map((s) => ({ url: s.url.replace(/([?&])sort=[^&#]*/, '$1sort=****'), headers: added(s.headers) })),
    );
    // The run is not vacuous: the basic program sends both names.
    expect(r.stdout).toContain('"X-Request-Id":"****"');
    expect(r.stdout).toContain('sort=****');
  });

  it('prints the summary on stderr: totals, drop counters and per-process counts', async () => {
    const r = await traceBasic(['--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('stopping: every traced process exited');
    expect(r.stderr).toContain(
      'httpwatcher: 5 requests captured, 5 printed, 0 dropped by kernel, 0 dropped from queue, 0 incomplete reads\n',
    );
    expect(r.stderr).toContain(`httpwatcher:   pid ${r.pid} (client): 5 captured, 5 printed\n`);
    expect(r.stdout).not.toContain('httpwatcher:');
  });

  it('--response adds the status, error flag and duration the program saw (NDJSON and text)', async () => {
    const r = await traceBasic(['--json', '--response']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.method, pathOf(e.url), e.status, e.error])).toEqual(
      r.sent.map((s) => [s.method, pathOf(s.url), s.status, false]),
    );
    for (const e of events) expect(e.durationNs).toBeGreaterThan(0);
    const text = await traceBasic(['--response', '--color', 'never']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(
      new RegExp(`^${text.pid} GET http://127\\.0\\.0\\.1:\\d+/v1/users\\?limit=10&sort=name 200 \\d+\\.\\dms$`),
    );
  });

  it('--transport adds via, hop and originalUrl: each Client.Do of the program, through the transport, once', async () => {
    const r = await traceBasic(['--json', '--transport']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.method, pathOf(e.url), e.via, e.hop, e.originalUrl === e.url])).toEqual(
      r.sent.map((s) => [s.method, pathOf(s.url), 'client', 0, true]),
    );
  });

  it('text output is "PID METHOD URL" and "  Key: Value" lines, uncoloured on a pipe; --show-secrets unmasks', async () => {
    const r = await traceBasic(['--show-secrets']);
    expect(r.code, r.stderr).toBe(0);
    const [first] = r.sent;
    const expected = [
      `${r.pid} ${first!.method} ${first!.url}`,
      ...Object.keys(first!.headers)
        .sort()
        .map((k) => `  ${k}: ${first!.headers[k]}`),
    ];
    expect(r.stdout.split('\n').slice(0, expected.length)).toEqual(expected);
    expect(r.stdout).toContain(`  Authorization: ${first!.headers.Authorization}`);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('-t prefixes each request with its wall-clock time', async () => {
    const before = Date.now();
    const r = await traceBasic(['-t', '--color', 'never']);
    const stamps = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith(' ') && l !== '')
      .map((l) => l.split(' ')[0]!);
    expect(stamps).toHaveLength(5);
    for (const s of stamps) {
      expect(s).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(s)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(s)).toBeLessThanOrEqual(Date.now());
    }
  });

  it('-c 2 prints the first two requests and exits 0 while the program goes on', async () => {
    const client = await startClient('basic', 2000);
    clients.push(client);
    const cli = startCli(['-p', String(client.pid), '--json', '-c', '2']);
    await cli.stderrContains(`tracing pid ${client.pid}`);
    client.release();
    const r = await cli.exit;
    expect(r.code, r.stderr).toBe(0);
    expect(client.child.exitCode).toBeNull();
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => `${e.method} ${e.url}`)).toEqual(
      client.sent.slice(0, 2).map((s) => `${s.method} ${s.url}`),
    );
    expect(r.stderr).toContain('stopping: --count reached');
    expect(r.stderr).toMatch(/ requests captured, 2 printed,/);
  });

  it('--filter keeps only requests matching every filter', async () => {
    const r = await traceBasic([
      '--json',
      '--filter',
      'method=GET,PUT',
      '--filter',
      'path=/v1/*',
      '--filter',
      'host!=example.*',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const wanted = r.sent.filter((s) => ['GET', 'PUT'].includes(s.method) && pathOf(s.url).startsWith('/v1/'));
    expect(wanted.length).toBeGreaterThan(0);
    expect(wanted.length).toBeLessThan(r.sent.length);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => `${e.method} ${e.url}`)).toEqual(wanted.map((s) => `${s.method} ${s.url}`));
    expect(r.stderr).toContain(`5 requests captured, ${wanted.length} printed`);
  });

  it('-o writes requests to the file; stdout stays empty and diagnostics stay on stderr', async () => {
    const file = join(scratchDir(), 'requests.ndjson');
    const r = await traceBasic(['--json', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.url)).toEqual(r.sent.map((s) => s.url));
    expect(r.stderr).toContain('5 requests captured, 5 printed');
  });

  it.each([
    ['FORCE_COLOR=1 colours a pipe', [], { FORCE_COLOR: '1' }, true],
    ['NO_COLOR wins over FORCE_COLOR', [], { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    ['--color always wins over NO_COLOR', ['--color', 'always'], { NO_COLOR: '1' }, true],
    ['--color never wins over FORCE_COLOR', ['--color', 'never'], { FORCE_COLOR: '1' }, false],
  ] as const)('%s', async (_name, args, env, coloured) => {
    const r = await traceBasic([...args], env);
    expect(r.code, r.stderr).toBe(0);
    const plain = r.stdout.replace(/\x1b\[[\d;]*m/g, '');
    expect(plain.split('\n')[0]).toBe(`${r.pid} ${r.sent[0]!.method} ${r.sent[0]!.url}`);
    expect(r.stdout.includes('\x1b[')).toBe(coloured);
  });

  it('-d ends the trace after the duration with exit 0, even with no requests', async () => {
    const client = await startClient('basic');
    clients.push(client);
    const started = Date.now();
    const r = await runCli(['-p', String(client.pid), '-d', '700ms']);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(r.stderr).toContain('stopping: --duration reached');
    expect(r.stderr).toContain('0 requests captured, 0 printed');
    expect(r.stdout).toBe('');
  });

  it('a reader that goes away (| head) ends the trace with exit 0', async () => {
    const client = await startClient('basic', 200);
    clients.push(client);
    const cli = startCli(['-p', String(client.pid), '--json']);
    await cli.stderrContains(`tracing pid ${client.pid}`);
    client.release();
    await cli.stdoutLines(1);
    cli.child.stdout.destroy();
    const r = await cli.exit;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('stopping: the output was closed');
  });

  it('exits 1 when no process could be attached, saying why for each', async () => {
    const r = await runCli(['-p', String(process.pid), '-p', '999999999']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`pid ${process.pid}.*Go`));
    expect(r.stderr).toContain('999999999');
  });

  it('exits 77 without the privileges to load BPF programs', () => {
    const dropped = spawnSync(
      'setpriv',
      // uid 0 with no capability left: a CI checkout in a 0700 directory stays readable, BPF does not.
      ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--', process.execPath, cliBin, '-p', '1'],
      { encoding: 'utf8', env: plainEnv() },
    );
    expect(dropped.stderr).toContain('CAP_BPF');
    expect(dropped.status).toBe(77);
  });
});
