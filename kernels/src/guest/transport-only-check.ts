import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import type { HttpRequestEvent, Snooper } from 'httpwatcher';
import type { GuestFixture } from '../guest-plan.js';
import type { Findings } from './findings.js';
import { checkTransportCounters } from './transport-counters.js';

const REQUESTS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A line test-fixtures/transport-only prints per request (other fields and kinds are ignored). */
interface Sent {
  kind: string;
  method: string;
  url: string;
  status: number;
  error?: string;
}

/**
 * transport-only.e2e in a guest: a program with Transport.RoundTrip and no http.Client, analysed
 * with roundTrip as its entry. Each RoundTrip is one event, via transport, hop 0, no original URL,
 * with no header (http.NewRequest's empty header map, read as empty, not incomplete). The refusal
 * without the option is user space alone and stays with the host test.
 */
export async function checkTransportOnly(
  snoop: Snooper,
  fixture: GuestFixture,
  f: Findings,
): Promise<Record<string, unknown>> {
  const before = snoop.stats();
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const child = spawn(fixture.path, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const stop = new AbortController();
  try {
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ready = JSON.parse((await lines.next()).value as string) as { pid: number };
    const events: HttpRequestEvent[] = [];
    const consumer = (async () => {
      for await (const ev of snoop.events({ signal: stop.signal })) if (ev.pid === ready.pid) events.push(ev);
    })();
    await snoop.attach(ready.pid);
    const urls = Array.from({ length: REQUESTS }, (_, i) => `${base}/bare/${i}?q=${i}`);
    child.stdin.end(`${urls.join('\n')}\n\n`);
    const sent: Sent[] = [];
    for (let line = await lines.next(); !line.done; line = await lines.next()) {
      const msg = JSON.parse(line.value) as Sent;
      if (msg.kind === 'request') sent.push(msg);
    }
    f.same('fixture exit code', await exited, 0);
    const deadline = Date.now() + 20_000;
    while (events.length < sent.length && Date.now() < deadline) {
      snoop.flush();
      await sleep(20);
    }
    await sleep(200); // a duplicate would show up too
    snoop.flush();
    stop.abort();
    await consumer;
    f.same(
      'what it sent',
      sent.map((s) => [s.url, s.status, s.error]),
      urls.map((u) => [u, 200, undefined]),
    );
    f.same(
      'events',
      events.map((ev) => [ev.method, ev.url, ev.via, ev.hop, ev.originalUrl, ev.headerCount, ev.incomplete]),
      sent.map((s) => [s.method, s.url, 'transport', 0, undefined, 0, false]),
    );
    return { requests: sent.length, events: events.length, ...checkTransportCounters(snoop, before, f) };
  } finally {
    stop.abort();
    child.kill();
    server.close();
  }
}
