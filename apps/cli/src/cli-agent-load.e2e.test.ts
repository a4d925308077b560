import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { newestFixture } from './test-support/agent-fixtures.js';
import { startGoFixture, type GoFixture } from './test-support/go-fixture.js';
import { killRunningClis, startCli } from './test-support/run-cli.js';

// In CI these tests must run (and fail if BPF cannot load); elsewhere they need root.

const fixtures: GoFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.kill();
  killRunningClis();
});

/**
 * 20 processes offering 1,000 calls/s each (in-process transport, paced) for 5 s: 20,000 requests/s,
 * 100,000 in all. The figures it prints are in BENCHMARKS.md; what it asserts is exactness.
 */
const processes = 20;
const perProcess = 5_000;
const ratePerProcess = 1_000;

const statusKb = (pid: number, field: string): number =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

describe.runIf(runBpfTests)('the agent under load (real BPF, 20 Go processes at once)', () => {
  it('counts every request exactly, and every span as exported or dropped', async () => {
    // A collector that accepts everything without decoding it: the agent, not the receiver, is measured.
    let otlpRequests = 0;
    const collector = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        otlpRequests++;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const collectorPort = (collector.address() as { port: number }).port;
    try {
      const client = newestFixture('traced-client');
      const cli = startCli(
        [
          '--binary',
          client.absolutePath,
          // Without --response each request is one ring record, so events + kernel drops = requests exactly.
          '-q',
          '--metrics',
          '127.0.0.1:0',
          '--otlp',
          `http://127.0.0.1:${collectorPort}`,
        ],
        { OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_METRIC_EXPORT_INTERVAL: '1000' },
      );
      await cli.stderrContains(`tracing binary ${client.absolutePath}`);
      const port = /serving metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(cli.stderr)![1]!;
      const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const value = (text: string, series: string) =>
        Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

      const started: GoFixture[] = [];
      for (let i = 0; i < processes; i++) {
        const f = await startGoFixture(client.absolutePath, [
          '-load',
          String(perProcess),
          '-rate',
          String(ratePerProcess),
        ]);
        fixtures.push(f);
        started.push(f);
      }
      for (const f of started) await cli.stderrContains(`tracing pid ${f.pid}`);
      const idleKb = statusKb(cli.child.pid!, 'VmRSS');
      const t0 = process.hrtime.bigint();
      for (const f of started) f.release();
      for (const f of started) expect(await f.exited).toBe(0);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const sent = started.reduce((n, f) => n + Number(f.lines.find((l) => l.kind === 'load')!.ok), 0);
      expect(sent).toBe(processes * perProcess);

      // The probe saw every call; each became an event or a kernel drop (a drop may also be an
      // exec or exit record, so events + drops can exceed the calls); every event is counted once.
      let text = await scrape();
      const deadline = Date.now() + 60_000;
      const settled = (t: string) =>
        value(t, 'httpwatcher_probe_hits_total') === sent &&
        value(t, 'httpwatcher_events_total') + value(t, 'httpwatcher_kernel_drops_total') >= sent &&
        value(t, 'httpwatcher_traced_processes') === 0;
      while (!settled(text) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        text = await scrape();
      }
      const events = value(text, 'httpwatcher_events_total');
      const kernelDrops = value(text, 'httpwatcher_kernel_drops_total');
      const queueDrops = value(text, 'httpwatcher_queue_drops_total');
      const counted = [...text.matchAll(/^httpwatcher_requests_total\{[^}]*\} (\d+)$/gm)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
      const hwmKb = statusKb(cli.child.pid!, 'VmHWM');
      console.log(
        `agent load: ${processes} processes, ${sent} requests in ${seconds.toFixed(2)} s = ${Math.round(sent / seconds)} req/s; ` +
          `events ${events}, kernel drops ${kernelDrops}, queue drops ${queueDrops}, counted ${counted}; ` +
          `agent RSS idle ${(idleKb / 1024).toFixed(1)} MB, peak (VmHWM) ${(hwmKb / 1024).toFixed(1)} MB`,
      );
      expect(value(text, 'httpwatcher_probe_hits_total')).toBe(sent);
      expect(events).toBeLessThanOrEqual(sent);
      expect(events + kernelDrops).toBeGreaterThanOrEqual(sent);
      expect(counted).toBe(events - queueDrops);
      expect(
        value(
          text,
          `httpwatcher_requests_total{method="GET",host="load.invalid",program="traced-client",module="httpwatcher.test/tracedclient"}`,
        ),
      ).toBe(counted);
      // Spans: exported, dropped for want of room, or still queued until the final flush.
      const spansDeadline = Date.now() + 60_000;
      const spansSettled = (t: string) =>
        value(t, 'httpwatcher_spans_exported_total') +
          value(t, 'httpwatcher_spans_dropped_total{reason="queue_full"}') +
          value(t, 'httpwatcher_spans_dropped_total{reason="export_failed"}') ===
        counted;
      while (!spansSettled(text) && Date.now() < spansDeadline) {
        await new Promise((r) => setTimeout(r, 250));
        text = await scrape();
      }
      expect(spansSettled(text), text).toBe(true);
      cli.child.kill('SIGTERM');
      const r = await cli.exit;
      expect(r.code, r.stderr).toBe(0);
      expect(otlpRequests).toBeGreaterThan(0);
      console.log(
        `agent load spans: exported ${value(text, 'httpwatcher_spans_exported_total')}, ` +
          `dropped queue_full ${value(text, 'httpwatcher_spans_dropped_total{reason="queue_full"}')}, ` +
          `export_failed ${value(text, 'httpwatcher_spans_dropped_total{reason="export_failed"}')}; OTLP requests ${otlpRequests}`,
      );
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  }, 180_000);
});
