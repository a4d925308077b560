import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { builtFixtures, type Fixture } from '@httpwatcher/test-support/fixtures';
import type { HttpRequestEvent } from './http-event.js';
import { Snooper } from './snooper.js';
import { SnooperError } from './snooper-error.js';

if (!runBpfTests) console.warn('transport-only.e2e: skipped — needs root (CAP_BPF + CAP_PERFMON) to load BPF programs');

const versions = ['1.15', '1.21', '1.24', '1.27'];
const cells = builtFixtures(
  (c) => c.program === 'transport-only' && c.goarch === 'amd64' && c.variant === 'default' && versions.includes(c.go),
);
const N = 50;

interface Sent {
  kind: string;
  method: string;
  url: string;
  status: number;
  error?: string;
}

/** Runs test-fixtures/transport-only under `snoop`: it sends one GET per URL through Transport.RoundTrip. */
async function runTransportOnly(snoop: Snooper, path: string, urls: string[]) {
  const child = spawn(path, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const ready = JSON.parse((await lines.next()).value as string) as { pid: number };
    const events: HttpRequestEvent[] = [];
    const stop = new AbortController();
    const consumer = (async () => {
      for await (const ev of snoop.events({ signal: stop.signal })) if (ev.pid === ready.pid) events.push(ev);
    })();
    await snoop.attach(ready.pid);
    child.stdin.end(`${urls.join('\n')}\n\n`);
    const sent: Sent[] = [];
    for (let line = await lines.next(); !line.done; line = await lines.next()) sent.push(JSON.parse(line.value));
    const exitCode = await exited;
    const deadline = Date.now() + 10_000;
    while (events.length < sent.length && Date.now() < deadline) {
      snoop.flush();
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200)); // surplus (duplicate) events would show by now
    snoop.flush();
    stop.abort();
    await consumer;
    return { exitCode, sent, events };
  } finally {
    child.kill();
  }
}

describe.runIf(runBpfTests)('transport probe on a program without http.Client (bare Transport.RoundTrip)', () => {
  let snoop: Snooper;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    snoop = await Snooper.init({ flushIntervalMs: 10, transport: true });
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await snoop?.close();
    server?.close();
  });

  it('has fixtures to trace (run test-fixtures/build.sh --program transport-only)', () => {
    expect(cells.map((c) => c.go)).toEqual(versions);
  });

  it.each(cells.map((c) => [`go${c.go}`, c] as const))(
    '%s: one event per RoundTrip, via transport, exactly once; refused without the option',
    async (_name, cell: Fixture) => {
      const urls = Array.from({ length: N }, (_, i) => `${base}/bare/${i}?q=${i}`);
      const run = await runTransportOnly(snoop, cell.absolutePath, urls);
      expect(run.exitCode).toBe(0);
      expect(run.sent.map((s) => [s.url, s.status, s.error])).toEqual(urls.map((u) => [u, 200, undefined]));
      expect(run.events.map((ev) => [ev.method, ev.url, ev.via, ev.hop, ev.originalUrl])).toEqual(
        run.sent.map((s) => [s.method, s.url, 'transport', 0, undefined]),
      );

      // Without the option such a program is refused, as before the transport probe.
      await using plain = await Snooper.init();
      const child = spawn(cell.absolutePath, [], { stdio: ['pipe', 'pipe', 'inherit'] });
      try {
        const ready = JSON.parse(
          (await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value as string,
        ) as { pid: number };
        const error = await plain.attach(ready.pid).catch((e: unknown) => e);
        expect(SnooperError.isInstance(error) && error.code).toBe('NO_HTTP_CLIENT');
      } finally {
        child.kill();
      }
    },
  );
});

describe.runIf(runBpfTests)('transport probe with responses on a program without http.Client', () => {
  let snoop: Snooper;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    snoop = await Snooper.init({ flushIntervalMs: 10, transport: true, response: true });
    // /status/NNN/i answers NNN.
    server = createServer((req, res) => {
      res.statusCode = Number(req.url!.split('/')[2]);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await snoop?.close();
    server?.close();
  });

  it.each(cells.map((c) => [`go${c.go}`, c] as const))(
    '%s: each bare RoundTrip once, with the status it received and its duration',
    async (_name, cell: Fixture) => {
      const codes = [200, 201, 204, 302, 404, 418, 503];
      const urls = Array.from({ length: N }, (_, i) => `${base}/status/${codes[i % codes.length]}/${i}`);
      const run = await runTransportOnly(snoop, cell.absolutePath, urls);
      expect(run.exitCode).toBe(0);
      expect(run.sent.map((s) => s.status)).toEqual(urls.map((_u, i) => codes[i % codes.length]));
      expect(run.events.map((ev) => [ev.url, ev.via, ev.status, ev.error, (ev.durationNs ?? 0) > 0])).toEqual(
        run.sent.map((s) => [s.url, 'transport', s.status, false, true]),
      );
      expect([snoop.stats().responsesUnmatched, snoop.stats().responsesNotAwaited]).toEqual([0, 0]);
    },
  );
});
