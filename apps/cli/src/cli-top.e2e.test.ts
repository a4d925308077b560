import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { shellWord } from './shell-word.js';
import { startClient, type FixtureClient } from './test-support/fixture-client.js';
import { readHostileTruth, terminalControlsIn } from './test-support/hostile-output.js';
import { cliBin, fixture, requireFixture } from './test-support/run-cli.js';
import { scratchDir } from './test-support/scratch-dir.js';
import { TmuxSession } from './test-support/tmux.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

const sessions: TmuxSession[] = [];
const clients: FixtureClient[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
  for (const c of clients.splice(0)) c.kill();
});

/** `httpwatcher top ARGS` in a tmux pane of that size, with NO_COLOR and FORCE_COLOR as given. */
function startTop(args: string[], size = { width: 100, height: 30 }, env: Record<string, string> = {}): TmuxSession {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${shellWord(v)}`);
  const command = [
    'env',
    '-u',
    'NO_COLOR',
    '-u',
    'FORCE_COLOR',
    ...assignments,
    process.execPath,
    cliBin,
    'top',
    ...args,
  ];
  // The shell stays after top exits, to say its exit code; the screen is then the shell's again.
  const session = new TmuxSession(`${command.map(shellWord).join(' ')}; echo "top exited $?"; exec sleep 600`, size);
  sessions.push(session);
  return session;
}

/** The row of a group: its cells split on runs of spaces. */
const rowsOf = (screen: string[]): string[][] =>
  screen
    .slice(4)
    .filter((l) => /^\d+ /.test(l))
    .map((l) => l.trim().split(/\s+/));

const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
};

/** Label → REQS of every row, for one process. */
const totals = (screen: string[], pid: number): Record<string, number> =>
  Object.fromEntries(
    rowsOf(screen)
      .filter((r) => r[0] === String(pid))
      .map((r) => [r[2]!, Number(r[3])]),
  );

async function expectRestored(top: TmuxSession): Promise<void> {
  await top.until((s) => s.some((l) => l.startsWith('top exited ')), 'exit');
  expect(top.screen().find((l) => l.startsWith('top exited '))).toBe('top exited 0');
  expect(top.display('#{alternate_on}')).toBe('0');
  expect(top.display('#{cursor_flag}')).toBe('1');
}

describe.runIf(runBpfTests)('httpwatcher top in tmux (real BPF, real Go processes)', () => {
  it('shows each grouping with the counts the program made, and q restores the screen', async () => {
    const client = await startClient('basic', 3);
    clients.push(client);
    const top = startTop(['-p', String(client.pid)]);
    await top.until((s) => s.some((l) => l.includes(`tracing pid ${client.pid}`)), 'attach message');
    expect(top.display('#{alternate_on}')).toBe('1');
    expect(top.display('#{cursor_flag}')).toBe('0');
    client.release();
    await client.exited;
    const sent = client.sent;
    expect(sent).toHaveLength(15);
    const host = new URL(sent[0]!.url).host;

    let screen = await top.until((s) => totals(s, client.pid)[host] === 15, 'the host row with 15 requests');
    expect(screen[0]).toMatch(
      /^httpwatcher top {2}0 traced {2}15 req {2}[\d.]+\/s {2}0\.0% err {2}drops 0 kernel 0 queue/,
    );
    expect(screen[3]).toMatch(/^PID +PROCESS +HOST +REQS +RATE\/s +ERR% +P50ms +P99ms$/);
    const [row] = rowsOf(screen);
    expect(row!.slice(0, 4)).toEqual([String(client.pid), 'client', host, '15']);
    expect(row![5]).toBe('0.0');
    expect(Number(row![6])).toBeGreaterThan(0);
    expect(Number(row![7])).toBeGreaterThanOrEqual(Number(row![6]));

    const expected = {
      endpoint: countBy(sent, (s) => host + new URL(s.url).pathname.replace(/\/\d+(?=\/|$)/g, '/:id')),
      method: countBy(sent, (s) => s.method),
      status: countBy(sent, (s) => String(s.status)),
    };
    for (const grouping of ['endpoint', 'method', 'status'] as const) {
      top.keys('g');
      screen = await top.until((s) => s[1]!.includes(`group: ${grouping}`), `grouping ${grouping}`);
      expect(totals(screen, client.pid), grouping).toEqual(expected[grouping]);
    }

    // Sort keys, the filter prompt (Enter applies, Escape clears) and pause.
    top.keys('s');
    screen = await top.until((s) => s[1]!.includes('sort: total'), 'sort by total');
    const reqs = rowsOf(screen).map((r) => Number(r[3]));
    expect(reqs).toEqual([...reqs].sort((a, b) => b - a));
    top.keys('/');
    await top.until((s) => s.some((l) => l.startsWith('filter (Esc cancels):')), 'the filter prompt');
    top.keys('20', 'Enter');
    screen = await top.until((s) => s[1]!.includes('filter: 20'), 'the filter applied');
    expect(totals(screen, client.pid)).toEqual({ '200': 15 });
    top.keys('Escape');
    await top.until((s) => s[1]!.includes('filter: -'), 'the filter cleared');
    top.keys('p');
    await top.until((s) => s[0]!.endsWith('PAUSED'), 'pause');

    top.keys('q');
    await expectRestored(top);
    screen = top.screen();
    expect(screen.join('\n')).toContain(
      'httpwatcher: 15 requests seen, 0 failed, 0 dropped by kernel, 0 dropped from queue',
    );
  });

  it('error rate and statuses equal what the response fixture got (refused, timeout, 5xx, a panic)', async () => {
    const child = spawn(requireFixture(fixture('1.24', 'default', 'response-client')), ['-wait'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines: { kind: string; pid?: number; status?: number; error?: string; panicked?: boolean }[] = [];
    const ready = new Promise<number>((resolve) =>
      createInterface({ input: child.stdout }).on('line', (l) => {
        const msg = JSON.parse(l);
        if (msg.kind === 'ready') resolve(msg.pid);
        else lines.push(msg);
      }),
    );
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      const pid = await ready;
      const top = startTop(['-p', String(pid)]);
      await top.until((s) => s.some((l) => l.includes(`tracing pid ${pid}`)), 'attach message');
      child.stdin.end('go\n');
      await exited;
      const label = (o: (typeof lines)[number]): string =>
        o.panicked ? '-' : o.status ? String(o.status) : o.error ? 'ERR' : '?';
      const expected = countBy(lines, label);
      const failed = lines.filter((o) => !o.panicked && (o.error !== undefined || (o.status ?? 0) >= 500)).length;
      top.keys('g', 'g', 'g');
      const screen = await top.until(
        (s) =>
          s[1]!.includes('group: status') && Object.values(totals(s, pid)).reduce((a, b) => a + b, 0) === lines.length,
        'every call in the status grouping',
      );
      expect(totals(screen, pid)).toEqual(expected);
      expect(screen[0]).toContain(` ${lines.length} req `);
      expect(screen[0]).toContain(` ${((100 * failed) / lines.length).toFixed(1)}% err `);
      top.keys('q');
      await expectRestored(top);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a hostile program: its fields shown escaped, the terminal title untouched', async () => {
    const dir = scratchDir();
    const exe = requireFixture(fixture('1.24', 'default', 'hostile-client'));
    const top = startTop(['--binary', exe], { width: 120, height: 40 });
    await top.until((s) => s.some((l) => l.includes('tracing binary')), 'attach message');
    const title = top.display('#{pane_title}');
    const truthFile = join(dir, 'truth.ndjson');
    await new Promise((resolve) => spawn(exe, ['-truth', truthFile], { stdio: 'ignore' }).on('exit', resolve));
    const truth = readHostileTruth(truthFile);
    top.keys('g', 'g');
    // The header changes before the rows are redrawn: wait for a row of the new grouping, the
    // forged method shown escaped, not for the header alone.
    await top.until(
      (s) =>
        s[1]!.includes('group: method') &&
        s[0]!.includes(` ${truth.length} req `) &&
        s.slice(2).some((line) => line.includes('GET\\r\\n4242')),
      'every request, by method, the forged method escaped',
    );
    expect(
      terminalControlsIn(
        Buffer.from(
          top
            .screen(true)
            .join('\n')
            .replace(/\u001b\[[\d;]*m/g, ''),
        ),
      ),
    ).toEqual([]);
    expect(top.display('#{pane_title}')).toBe(title);
    top.keys('q');
    await expectRestored(top);
  });

  it('SIGINT and SIGTERM end it with the screen restored; NO_COLOR leaves out every attribute', async () => {
    const client = await startClient('basic');
    clients.push(client);
    const plain = startTop(['-p', String(client.pid)], { width: 100, height: 30 }, { NO_COLOR: '1' });
    const coloured = startTop(['-p', String(client.pid)]);
    for (const top of [plain, coloured]) await top.until((s) => s[0]!.startsWith('httpwatcher top'), 'the view');
    expect(plain.screen(true).join('\n')).not.toContain('\u001b[');
    expect(coloured.screen(true).join('\n')).toContain('\u001b[');
    // The pane's shell runs top as its only child.
    const topPid = (session: TmuxSession): number =>
      Number(execFileSync('pgrep', ['-P', session.display('#{pane_pid}')], { encoding: 'utf8' }).trim());
    process.kill(topPid(plain), 'SIGINT');
    process.kill(topPid(coloured), 'SIGTERM');
    for (const top of [plain, coloured]) await expectRestored(top);
  });

  it.each([
    [80, 24],
    [50, 24],
    [30, 10],
  ])('fits a %dx%d terminal, leaving out columns rather than wrapping', async (width, height) => {
    const client = await startClient('basic');
    clients.push(client);
    const top = startTop(['-p', String(client.pid)], { width, height });
    await top.until((s) => s.some((l) => l.includes(`tracing pid`)), 'attach message');
    client.release();
    await client.exited;
    const host = new URL(client.sent[0]!.url).host;
    // The row: PID first while it fits, the host alone in 30 columns.
    const first = width >= 50 ? String(client.pid) : host;
    const screen = await top.until((s) => s.some((l) => l.startsWith(first) && / 5 /.test(l)), 'the row');
    for (const l of screen) expect(l.length).toBeLessThanOrEqual(width);
    expect(screen[3]).toContain('REQS');
    expect(screen[3]!.includes('PROCESS')).toBe(width >= 80);
    const row = screen
      .find((l) => l.startsWith(first))!
      .trim()
      .split(/\s+/);
    expect(row.slice(0, 3)).toEqual(
      width >= 80
        ? [String(client.pid), 'client', host]
        : width >= 50
          ? [String(client.pid), host, '5']
          : [host, '5', '0.0'],
    );
    top.keys('q');
    await expectRestored(top);
  });
});
