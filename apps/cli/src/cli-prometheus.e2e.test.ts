import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { hostOf, newestFixture } from './test-support/agent-fixtures.js';
import { startGoFixture, type GoFixture } from './test-support/go-fixture.js';
import { PrometheusServer } from './test-support/prometheus-server.js';
import { killRunningClis, startCli } from './test-support/run-cli.js';
import { scratchDir } from './test-support/scratch-dir.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

const fixtures: GoFixture[] = [];
const servers: PrometheusServer[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) f.kill();
  killRunningClis();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

type Key = string;
const keyOf = (labels: Record<string, string>, names: string[]): Key => names.map((n) => `${n}=${labels[n]}`).join(',');
function countBy(rows: Array<Record<string, string>>, names: string[]): Record<Key, number> {
  const counts: Record<Key, number> = {};
  for (const r of rows) counts[keyOf(r, names)] = (counts[keyOf(r, names)] ?? 0) + 1;
  return counts;
}
const samplesBy = (samples: Array<{ metric: Record<string, string>; value: number }>, names: string[]) =>
  Object.fromEntries(samples.map((s) => [keyOf(s.metric, names), s.value]));

describe.runIf(runBpfTests)('httpwatcher --metrics scraped by a real Prometheus (real BPF, real Go processes)', () => {
  it('counts per method, host, status and program equal what the programs sent', async () => {
    const client = newestFixture('client');
    const responder = newestFixture('response-client');
    const cli = startCli([
      '--binary',
      client.absolutePath,
      '--binary',
      responder.absolutePath,
      '--response',
      '--quiet',
      '--metrics',
      '127.0.0.1:0',
    ]);
    await cli.stderrContains('serving metrics on http://127.0.0.1:');
    const port = /serving metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(cli.stderr)![1]!;
    await cli.stderrContains(`tracing binary ${responder.absolutePath}`);
    const prometheus = await PrometheusServer.start(scratchDir(), [`127.0.0.1:${port}`]);
    servers.push(prometheus);
    await prometheus.until('up{job="httpwatcher"}', (s) => s[0]?.value === 1);

    // Two runs of the client's basic series and one of the response series (statuses 200/404/500,
    // a refused port, a timeout, a panic through Client.do): each released once it is traced.
    const runs = [
      { fixture: client, args: ['-scenario', 'basic'] },
      { fixture: client, args: ['-scenario', 'basic'] },
      { fixture: responder, args: ['-scenario', 'basic'] },
    ];
    const started: GoFixture[] = [];
    for (const run of runs) {
      const f = await startGoFixture(run.fixture.absolutePath, run.args);
      fixtures.push(f);
      await cli.stderrContains(`tracing pid ${f.pid}`);
      f.release();
      await f.exited;
      started.push(f);
    }

    const program = (path: string) => path.split('/').at(-1)!;
    const truth = [
      ...started.slice(0, 2).flatMap((f) =>
        f.lines
          .filter((l) => l.kind === 'request')
          .map((l) => ({
            method: l.method as string,
            host: hostOf(l.url as string, l.host as string | undefined),
            status: String(l.status),
            program: program(client.absolutePath),
            module: 'httpwatcher.test/client',
            timed: 'yes',
          })),
      ),
      ...started[2]!.lines
        .filter((l) => l.kind === 'response')
        .map((l) => ({
          method: l.method as string,
          host: hostOf(l.url as string),
          // A call that never returned (the panic) is reported at its process's exit, without a status.
          status: l.panicked ? 'unknown' : (l.status as number) > 0 ? String(l.status) : 'error',
          program: program(responder.absolutePath),
          module: 'httpwatcher.test/responseclient',
          timed: l.panicked ? 'no' : 'yes',
        })),
    ];
    expect(truth).toHaveLength(5 + 5 + 11);

    await prometheus.until('httpwatcher_events_total', (s) => s[0]?.value === truth.length);
    // The scrape that saw every event has every request counted (the counters move together).
    const names = ['method', 'host', 'status', 'program', 'module'];
    const requests = await prometheus.query('httpwatcher_requests_total');
    expect(samplesBy(requests, names)).toEqual(countBy(truth, names));
    const timed = await prometheus.query('httpwatcher_request_duration_seconds_count');
    expect(samplesBy(timed, names)).toEqual(
      countBy(
        truth.filter((t) => t.timed === 'yes'),
        names,
      ),
    );
    // Health: nothing lost, nothing failed, both programs gone by now.
    for (const metric of [
      'httpwatcher_kernel_drops_total',
      'httpwatcher_scratch_drops_total',
      'httpwatcher_queue_drops_total',
      'httpwatcher_hosts_folded_total',
    ])
      expect(
        (await prometheus.query(metric)).map((s) => s.value),
        metric,
      ).toEqual([0]);
    await prometheus.until('httpwatcher_traced_processes', (s) => s[0]?.value === 0);

    cli.child.kill('SIGTERM');
    const r = await cli.exit;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${truth.length} requests captured, ${truth.length} exported, 0 dropped by kernel`);
  });

  it('folds hosts beyond --metrics-max-hosts into "other", counts them, and labels paths only by --metrics-path patterns', async () => {
    const client = newestFixture('response-client');
    const cli = startCli([
      '--binary',
      client.absolutePath,
      '--response',
      '-q',
      '--metrics',
      '127.0.0.1:0',
      '--metrics-max-hosts',
      '1',
      '--metrics-path',
      '/status/*',
    ]);
    await cli.stderrContains(`tracing binary ${client.absolutePath}`);
    const port = /serving metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(cli.stderr)![1]!;
    const f = await startGoFixture(client.absolutePath, ['-scenario', 'basic']);
    fixtures.push(f);
    await cli.stderrContains(`tracing pid ${f.pid}`);
    f.release();
    await f.exited;
    const calls = f.lines.filter((l) => l.kind === 'response');
    const hosts = calls.map((l) => hostOf(l.url as string));
    const first = hosts[0]!;
    const folded = hosts.filter((h) => h !== first).length;
    expect(folded).toBeGreaterThan(0);
    const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const deadline = Date.now() + 20_000;
    let text = await scrape();
    while (!text.includes(`httpwatcher_events_total ${calls.length}\n`) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      text = await scrape();
    }
    expect(text).toContain(`httpwatcher_hosts_folded_total ${folded}\n`);
    const hostLabels = new Set(
      [...text.matchAll(/^httpwatcher_requests_total\{[^}]*host="([^"]*)"/gm)].map((m) => m[1]),
    );
    expect([...hostLabels].sort()).toEqual([first, 'other'].sort());
    // Paths are labels only through the pattern given: the pattern, or "other".
    const byPath: Record<string, number> = {};
    for (const m of text.matchAll(/^httpwatcher_requests_total\{[^}]*path="([^"]*)"[^}]*\} (\d+)$/gm))
      byPath[m[1]!] = (byPath[m[1]!] ?? 0) + Number(m[2]);
    const statusCalls = calls.filter((l) => new URL(l.url as string).pathname.startsWith('/status/')).length;
    expect(byPath).toEqual({ '/status/*': statusCalls, other: calls.length - statusCalls });
    cli.child.kill('SIGHUP');
    const r = await cli.exit;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('stopping: SIGHUP');
  });
});
