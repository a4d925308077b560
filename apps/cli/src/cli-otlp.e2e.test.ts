import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { newestFixture } from './test-support/agent-fixtures.js';
import { startGoFixture, type GoFixture } from './test-support/go-fixture.js';
import { OtlpReceiver, type ReceivedSpan } from './test-support/otlp-receiver.js';
import { freePort } from './test-support/prometheus-server.js';
import { killRunningClis, startCli, type RunningCli } from './test-support/run-cli.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

const fixtures: GoFixture[] = [];
const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) f.kill();
  killRunningClis();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

/** The bound the response tests allow between the program's own measure of Do and the traced Client.do. */
const slackNs = 2_000_000n;
/** Short export periods, so that the test does not wait the specified defaults (5 s, 60 s). */
const fastExport = {
  OTEL_BSP_SCHEDULE_DELAY: '100',
  OTEL_METRIC_EXPORT_INTERVAL: '500',
  OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
};

interface Call {
  method: string;
  url: string;
  host?: string;
  headers: Record<string, string>;
  status: number;
  error?: string;
  startUnixNano: number;
  durationNs: number;
}

async function until(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs the traced-client fixture once under the CLI; returns its ground truth. */
async function runFixture(cli: RunningCli, path: string): Promise<{ pid: number; calls: Call[] }> {
  const f = await startGoFixture(path, []);
  fixtures.push(f);
  await cli.stderrContains(`tracing pid ${f.pid}`);
  f.release();
  expect(await f.exited).toBe(0);
  return { pid: f.pid, calls: f.lines.filter((l) => l.kind === 'request') as unknown as Call[] };
}

const traceparentOf = (c: Call) => /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(c.headers.Traceparent ?? '');

describe.runIf(runBpfTests)(
  'httpwatcher --otlp into a receiver that decodes the official OTLP protos (real BPF)',
  () => {
    it('sends one CLIENT span per request with the HTTP conventions, redaction, traceparent ids and durations', async () => {
      const receiver = await OtlpReceiver.start();
      receivers.push(receiver);
      const program = newestFixture('traced-client');
      const cli = startCli(
        ['--binary', program.absolutePath, '--response', '-q', '--otlp', `http://127.0.0.1:${receiver.port}`],
        fastExport,
      );
      await cli.stderrContains(`tracing binary ${program.absolutePath}`);
      const { pid, calls } = await runFixture(cli, program.absolutePath);
      expect(calls).toHaveLength(7);
      await until('a span per request', () => receiver.spans.length >= calls.length);
      await until(
        'the request counts over OTLP',
        () => receiver.latest('httpwatcher.requests').reduce((n, p) => n + p.value, 0) === calls.length,
      );
      cli.child.kill('SIGTERM');
      const r = await cli.exit;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('sending spans over OTLP');
      expect([...receiver.contentTypes]).toEqual(['application/x-protobuf']);

      const spans = [...receiver.spans].sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
      expect(spans).toHaveLength(calls.length);
      for (const [i, call] of calls.entries()) {
        const span = spans[i] as ReceivedSpan;
        const what = `${call.method} ${call.url}`;
        const url = new URL(call.url);
        const failed = call.status === 0 || call.status >= 400;
        expect(span.resource, what).toMatchObject({
          'service.name': 'httpwatcher.test/tracedclient',
          'process.pid': pid,
          'process.executable.path': program.absolutePath,
          'host.name': hostname(),
        });
        expect({ name: span.name, kind: span.kind, status: span.status.code }, what).toEqual({
          name: call.method,
          kind: 3, // SPAN_KIND_CLIENT
          status: failed ? 2 : 0, // STATUS_CODE_ERROR : STATUS_CODE_UNSET
        });
        const expected: Record<string, unknown> = {
          'http.request.method': call.method,
          'url.full': call.url.replace('access_token=s3cr3t-value', 'access_token=****'),
          'server.address': url.hostname,
          'server.port': Number(url.port),
          'thread.id': expect.any(Number),
        };
        if (call.status > 0) expected['http.response.status_code'] = call.status;
        if (call.status === 0) expected['error.type'] = '_OTHER';
        else if (call.status >= 400) expected['error.type'] = String(call.status);
        expect(span.attributes, what).toEqual(expected);
        // Trace context: a valid traceparent makes the span its child; otherwise a new trace.
        const tp = traceparentOf(call);
        if (tp) expect([span.traceId, span.parentSpanId], what).toEqual([tp[1], tp[2]]);
        else expect([span.traceId, span.parentSpanId], what).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/), '']);
        expect(span.traceState, what).toBe(call.headers.Tracestate ?? '');
        // Time: the span lies within the program's own measure of Do (start to the millisecond).
        const start = BigInt(call.startUnixNano);
        const duration = span.endNs - span.startNs;
        expect(span.startNs, what).toBeGreaterThanOrEqual(start - 1_000_000n - slackNs);
        expect(span.startNs, what).toBeLessThanOrEqual(start + BigInt(call.durationNs));
        expect(duration, what).toBeGreaterThan(0n);
        expect(duration, what).toBeLessThanOrEqual(BigInt(call.durationNs) + slackNs);
        if (call.url.includes('delay=60')) expect(duration, what).toBeGreaterThanOrEqual(60_000_000n);
      }
      expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
      const untraced = spans.filter((_, i) => !traceparentOf(calls[i]!)).map((s) => s.traceId);
      expect(new Set(untraced).size).toBe(untraced.length);
      const everything = JSON.stringify(receiver.spans, (_, v) => (typeof v === 'bigint' ? String(v) : v));
      expect(everything).not.toContain('s3cr3t-value');
      expect(everything).not.toContain('fixture-token');

      // The same metrics over OTLP: request counts by method, host and status.
      const key = (method: string, host: string, status: string) => `${method} ${host} ${status}`;
      const want: Record<string, number> = {};
      for (const c of calls) {
        // server.address and server.port (the latter only when not the scheme's default).
        const host = new URL(c.host ? `http://${c.host}` : c.url);
        const k = key(c.method, `${host.hostname} ${host.port}`, c.status > 0 ? String(c.status) : '_OTHER');
        want[k] = (want[k] ?? 0) + 1;
      }
      const got = Object.fromEntries(
        receiver
          .latest('httpwatcher.requests')
          .map((p) => [
            key(
              p.attributes['http.request.method'] as string,
              `${p.attributes['server.address']} ${p.attributes['server.port'] ?? ''}`,
              String(p.attributes['http.response.status_code'] ?? p.attributes['error.type']),
            ),
            p.value,
          ]),
      );
      expect(got).toEqual(want);
      const timed = receiver.latest('http.client.request.duration').reduce((n, p) => n + (p.count ?? 0), 0);
      expect(timed).toBe(calls.length);
    });

    it('survives a collector that is down, counts the spans it dropped, and resumes when it is up', async () => {
      const port = await freePort();
      const program = newestFixture('traced-client');
      const cli = startCli(
        [
          '--binary',
          program.absolutePath,
          '--response',
          '-q',
          '--otlp',
          `http://127.0.0.1:${port}`,
          '--metrics',
          '127.0.0.1:0',
        ],
        fastExport,
      );
      await cli.stderrContains(`tracing binary ${program.absolutePath}`);
      const metricsPort = /serving metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(cli.stderr)![1]!;
      const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? -1);

      const down = await runFixture(cli, program.absolutePath);
      let text = await scrape();
      const deadline = Date.now() + 20_000;
      while (metric(text, 'httpwatcher_spans_dropped_total\\{reason="export_failed"\\}') !== down.calls.length) {
        if (Date.now() > deadline) throw new Error(`the dropped spans were not counted:\n${text}`);
        await new Promise((r) => setTimeout(r, 200));
        text = await scrape();
      }
      expect(metric(text, 'httpwatcher_spans_exported_total')).toBe(0);

      const receiver = await OtlpReceiver.start(port);
      receivers.push(receiver);
      const up = await runFixture(cli, program.absolutePath);
      await until('the spans made after the collector came up', () => receiver.spans.length >= up.calls.length, 30_000);
      expect(cli.child.exitCode).toBeNull();
      expect(receiver.spans.every((s) => s.resource['process.pid'] === up.pid)).toBe(true);
      text = await scrape();
      expect(metric(text, 'httpwatcher_spans_exported_total')).toBe(up.calls.length);
      expect(metric(text, 'httpwatcher_spans_dropped_total\\{reason="export_failed"\\}')).toBe(down.calls.length);
      cli.child.kill('SIGHUP');
      const r = await cli.exit;
      expect(r.code, r.stderr).toBe(0);
      expect(receiver.spans).toHaveLength(up.calls.length);
    });
  },
);
