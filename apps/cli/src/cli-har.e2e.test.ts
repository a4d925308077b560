import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { queryPairs, uriText } from './har-entry.js';
import { redacted } from './test-support/expected-redaction.js';
import { startClient, type FixtureClient, type SentRequest } from './test-support/fixture-client.js';
import { harSchemaErrors } from './test-support/har-validator.js';
import { readHostileTruth, terminalControlsIn } from './test-support/hostile-output.js';
import { fixture, killRunningClis, requireFixture, runCli, startCli } from './test-support/run-cli.js';
import { scratchDir } from './test-support/scratch-dir.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    headers: { name: string; value: string }[];
    queryString: { name: string; value: string }[];
  };
  response: { status: number };
  _pid: number;
}

const clients: FixtureClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.kill();
  killRunningClis();
});

/** Reads a HAR, checks it against the HAR 1.2 schema, and returns its entries. */
function readHar(path: string): HarEntry[] {
  const har = JSON.parse(readFileSync(path, 'utf8'));
  expect(harSchemaErrors(har)).toEqual([]);
  expect(har.log.creator.name).toBe('httpwatcher');
  return har.log.entries;
}

const headerList = (headers: Record<string, string>) =>
  Object.keys(headers)
    .sort()
    .map((name) => ({ name, value: headers[name]! }));

/** What an entry's request holds for a request the program sent. */
const expectedRequest = (s: SentRequest, headers: Record<string, string>) => ({
  method: s.method,
  url: uriText(s.url),
  headers: headerList(headers),
  queryString: queryPairs(s.url),
});

const requestOf = (e: HarEntry) => ({
  method: e.request.method,
  url: e.request.url,
  headers: e.request.headers,
  queryString: e.request.queryString,
});

const printed = (stderr: string): number => Number(/ requests captured, (\d+) printed/.exec(stderr)?.[1]);

describe.runIf(runBpfTests)('--har (real BPF, real Go processes)', () => {
  it.each([
    ['credentials masked', [], redacted],
    ['--show-secrets', ['--show-secrets'], (h: Record<string, string>) => h],
  ] as const)('--response: one valid entry per request with its status and time (%s)', async (_name, args, shown) => {
    const path = join(scratchDir(), 'basic.har');
    const client = await startClient('basic');
    clients.push(client);
    const cli = startCli(['-p', String(client.pid), '--har', path, '--response', ...args]);
    await cli.stderrContains(`tracing pid ${client.pid}`);
    const before = Date.now();
    client.release();
    const r = await cli.exit;
    expect(r.code, r.stderr).toBe(0);
    expect(client.sent).toHaveLength(5);
    const entries = readHar(path);
    expect(entries.map(requestOf)).toEqual(client.sent.map((s) => expectedRequest(s, shown(s.headers))));
    expect(entries.map((e) => e.response.status)).toEqual(client.sent.map((s) => s.status));
    for (const e of entries) {
      expect(e.time).toBeGreaterThan(0);
      expect(e._pid).toBe(client.pid);
      expect(Date.parse(e.startedDateTime)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(e.startedDateTime)).toBeLessThanOrEqual(Date.now());
    }
    if (args.length === 0) expect(readFileSync(path, 'utf8')).not.toContain('fixture-token-123');
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)(
    'interrupted by %s mid-trace, the file is a valid HAR of the requests captured',
    async (signal) => {
      const path = join(scratchDir(), `${signal}.har`);
      const client = await startClient('basic', 100_000);
      clients.push(client);
      const cli = startCli(['-p', String(client.pid), '--har', path, '--show-secrets']);
      await cli.stderrContains(`tracing pid ${client.pid}`);
      client.release();
      await cli.stdoutLines(200);
      cli.child.kill(signal);
      const r = await cli.exit;
      const entries = readHar(path);
      if (signal === 'SIGKILL') {
        expect(r.signal).toBe('SIGKILL');
      } else {
        expect(r.code, r.stderr).toBe(0);
        // Everything printed is in the file.
        expect(entries).toHaveLength(printed(r.stderr));
      }
      expect(entries.length).toBeGreaterThan(0);
      await client.sentAtLeast(entries.length);
      client.kill();
      expect(entries.map(requestOf)).toEqual(
        client.sent.slice(0, entries.length).map((s) => expectedRequest(s, s.headers)),
      );
    },
  );

  it('a hostile program: valid HAR, no control byte in the file, each field as the program sent it', async () => {
    const dir = scratchDir();
    const exe = requireFixture(fixture('1.24', 'default', 'hostile-client'));
    const path = join(dir, 'hostile.har');
    const r = await runCli(['--har', path, '--show-secrets', '--', exe, '-truth', join(dir, 'truth.ndjson')]);
    expect(r.code, r.stderr).toBe(0);
    const truth = readHostileTruth(join(dir, 'truth.ndjson'));
    expect(terminalControlsIn(readFileSync(path))).toEqual([]);
    const entries = readHar(path);
    expect(entries.map(requestOf)).toEqual(
      truth.map((t) => ({
        ...expectedRequest({ ...t, status: 0 }, t.headers),
        headers: [...(t.host === undefined ? [] : [{ name: 'Host', value: t.host }]), ...headerList(t.headers)],
      })),
    );
  });
});
