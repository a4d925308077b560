import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { redacted } from './test-support/expected-redaction.js';
import { startClient, type FixtureClient, type SentRequest } from './test-support/fixture-client.js';
import { readHostileTruth, terminalControlsIn } from './test-support/hostile-output.js';
import { startRecordingServer, type ReceivedRequest } from './test-support/recording-server.js';
import { fixture, killRunningClis, requireFixture, runCli, startCli } from './test-support/run-cli.js';
import { scratchDir } from './test-support/scratch-dir.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

const clients: FixtureClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.kill();
  killRunningClis();
});

async function traceClient(
  scenario: 'basic' | 'capture',
  args: string[],
): Promise<{ stdout: string; sent: SentRequest[] }> {
  const client = await startClient(scenario);
  clients.push(client);
  const cli = startCli(['-p', String(client.pid), '--format', 'curl', ...args]);
  await cli.stderrContains(`tracing pid ${client.pid}`);
  client.release();
  const r = await cli.exit;
  expect(r.code, r.stderr).toBe(0);
  await client.exited;
  return { stdout: r.stdout, sent: client.sent };
}

/**
 * Runs the printed commands with bash (C locale, no rc files), curl connecting to `port` on
 * 127.0.0.1 whatever host the URL names (the fixture's own server is gone by then). Asynchronous:
 * the recording server answers from this process's event loop.
 */
async function runCommands(commands: string, port: number): Promise<void> {
  const prelude = `set -e\ncurl() { command curl -sS -o /dev/null --max-time 10 --connect-to "::127.0.0.1:${port}" "$@"; }\n`;
  // No stdin: on a socket, bash would read ~/.bashrc.
  const child = spawn('bash', ['-c', prelude + commands], {
    env: { LC_ALL: 'C', PATH: process.env.PATH },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(code, stderr).toBe(0);
}

/** What a server receives from the program's request sent by curl: its headers, the Host, curl's defaults. */
function expectSameRequest(got: ReceivedRequest, sent: SentRequest, headers: Record<string, string>): void {
  const url = new URL(sent.url);
  const { Host: host, 'User-Agent': agent, ...rest } = got.headers;
  expect(got.method).toBe(sent.method);
  expect(got.target).toBe(url.pathname + url.search);
  expect(host).toBe(sent.host ?? url.host);
  expect(agent).toMatch(/^curl\//);
  // curl adds "Accept: */*" when the command has no Accept header.
  expect(rest).toEqual('Accept' in headers ? headers : { ...headers, Accept: '*/*' });
}

/** The arguments bash passes to curl for each line, after its shell quoting (a fake curl prints them). */
function curlArguments(commands: string): string[][] {
  const prelude = `curl() { printf '%s\\0' "$@"; printf '\\n\\0'; }\n`;
  const out = execFileSync('bash', ['-c', prelude + commands], {
    env: { LC_ALL: 'C', PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  return out
    .split('\n\0')
    .slice(0, -1)
    .map((argv) => argv.split('\0').slice(0, -1));
}

const notSent = /^# not sent by Go \([^)]*\): /;

describe.runIf(runBpfTests)('--format curl (real BPF, real Go processes)', () => {
  it.each([
    ['--show-secrets', ['--show-secrets'], (h: Record<string, string>) => h],
    ['credentials masked', [], redacted],
  ] as const)('the printed commands, run by bash, send what the program sent (%s)', async (_name, args, shown) => {
    const r = await traceClient('basic', [...args]);
    expect(r.sent).toHaveLength(5);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^curl .* # pid \d+$/);
    const server = await startRecordingServer();
    try {
      await runCommands(r.stdout, server.port);
    } finally {
      await server.close();
    }
    expect(server.received).toHaveLength(5);
    for (const [i, got] of server.received.entries()) expectSameRequest(got, r.sent[i]!, shown(r.sent[i]!.headers));
    if (args.length === 0) expect(r.stdout).toContain(" -H 'Authorization: Bearer ****' ");
  });

  it('a Host override is sent as the Host header; a request with a field cut at 64 bytes says so', async () => {
    const r = await traceClient('capture', ['--filter', 'path=/request-host']);
    const lines = r.stdout.trimEnd().split('\n');
    const sent = r.sent.filter((s) => /^http:\/\/[^/]+\/request-host$/.test(s.url));
    expect(sent.map((s) => s.host!.length)).toEqual([63, 64, 65]);
    expect(lines.map((l) => l.endsWith(', 1 fields cut short'))).toEqual([false, false, true]);
    const server = await startRecordingServer();
    try {
      await runCommands(lines.slice(0, 2).join('\n'), server.port);
    } finally {
      await server.close();
    }
    expect(server.received).toHaveLength(2);
    for (const [i, got] of server.received.entries()) expectSameRequest(got, sent[i]!, sent[i]!.headers);
  });

  it('a hostile program: one line per request, no control byte, each argument reaching curl exactly', async () => {
    const dir = scratchDir();
    const exe = requireFixture(fixture('1.24', 'default', 'hostile-client'));
    const truthFile = join(dir, 'truth.ndjson');
    const r = await runCli(['--format', 'curl', '--show-secrets', '--', exe, '-truth', truthFile]);
    expect(r.code, r.stderr).toBe(0);
    const truth = readHostileTruth(truthFile) as (ReturnType<typeof readHostileTruth>[number] & { error?: string })[];
    expect(terminalControlsIn(r.bytes.stdout)).toEqual([]);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(truth.length);
    // Commented out exactly when Go's transport refused the request.
    expect(lines.map((l) => notSent.test(l))).toEqual(truth.map((t) => t.error !== undefined));
    expect(truth.some((t) => t.error === undefined)).toBe(true);
    // Uncommented, every line gives curl the program's fields as they were (bash cuts an argument at NUL).
    const argv = curlArguments(lines.map((l) => l.replace(notSent, '')).join('\n'));
    const cutAtNul = (s: string): string => s.split('\0')[0]!;
    expect(argv).toEqual(
      truth.map((t) => {
        const header = (k: string, v: string): string[] => ['-H', cutAtNul(v === '' ? `${k};` : `${k}: ${v}`)];
        return [
          ...(t.method === 'GET' ? [] : ['-X', cutAtNul(t.method)]),
          ...(/[[\]{}]/.test(t.url) ? ['-g'] : []),
          cutAtNul(t.url),
          // The one Host override it sets holds ESC: Go sends an empty Host instead (net/http request.go).
          ...(t.host === undefined ? [] : ['-H', t.host.includes('\u001b') ? 'Host;' : `Host: ${t.host}`]),
          ...Object.keys(t.headers)
            .sort()
            .flatMap((k) => header(k, t.headers[k]!)),
        ];
      }),
    );
  });
});
