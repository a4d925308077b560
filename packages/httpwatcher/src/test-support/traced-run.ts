import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { HttpRequestEvent } from '../http-event.js';
import type { Snooper } from '../snooper.js';
import type { SentRequest } from './fixtures.js';

/** The raw request fields the capture scenario prints (test-fixtures/client/capture.go). */
export interface RequestParts {
  method: string;
  scheme: string;
  opaque: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
  rawFragment: string;
  requestHost: string;
  forceQuery: boolean;
}

/** The header map's runtime state when the request was sent (test-fixtures/client/map-shape.go). */
export interface MapShape {
  kind: 'hmap' | 'swiss';
  B: number;
  growing: boolean;
  overflow: boolean;
  dirLen: number;
  tables: number;
}

export interface CaptureTruth extends SentRequest {
  name: string;
  parts: RequestParts;
  values: Record<string, string[]>;
  goid: number;
  proto?: string;
  map?: MapShape;
}

export interface BulkSummary {
  kind: 'bulk';
  sent: number;
  ok: number;
}

/** What one call of test-fixtures/transport-client got back. */
export interface ReceivedTruth {
  kind: 'received';
  case: string;
  seq: string;
  status: number;
  error?: string;
}

export interface TracedRun {
  pid: number;
  exitCode: number | null;
  stderr: string;
  truths: CaptureTruth[];
  bulk: BulkSummary | undefined;
  /** The "received" lines: what each call got back (transport-client). */
  received: ReceivedTruth[];
  /** Events of this process, in arrival order. */
  events: HttpRequestEvent[];
}

/**
 * Runs a fixture under `snoop`: starts it with -wait, attaches, lets it run to exit, then
 * collects events until every request it reported has one (or `timeoutMs` passes), and a
 * little longer so that surplus (duplicate) events would show too. `blockJsThreadMs`: this thread
 * then does nothing that long once the program is told to go (as a long garbage collection would).
 */
export async function runTraced(
  snoop: Snooper,
  path: string,
  args: string[],
  timeoutMs = 20_000,
  options: { blockJsThreadMs?: number } = {},
): Promise<TracedRun> {
  const child = spawn(path, ['-wait', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const truths: CaptureTruth[] = [];
  const received: ReceivedTruth[] = [];
  let bulk: BulkSummary | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const pid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${path} printed no ready line; stderr: ${stderr}`)), 10_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { kind: string; pid?: number };
      if (msg.kind === 'ready') {
        clearTimeout(timer);
        resolve(msg.pid!);
      } else if (msg.kind === 'request') truths.push(msg as CaptureTruth);
      else if (msg.kind === 'bulk') bulk = msg as BulkSummary;
      else if (msg.kind === 'received') received.push(msg as ReceivedTruth);
    });
    child.on('exit', (code) => reject(new Error(`${path} exited with ${code} before it was ready; stderr: ${stderr}`)));
  });

  const events: HttpRequestEvent[] = [];
  const stop = new AbortController();
  const consumer = (async () => {
    for await (const ev of snoop.events({ signal: stop.signal })) if (ev.pid === pid) events.push(ev);
  })();
  try {
    await snoop.attach(pid);
    child.stdin.write('go\n');
    // Nothing of this thread runs meanwhile: no drain, no timer, no callback.
    if (options.blockJsThreadMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, options.blockJsThreadMs);
    const exitCode = await exited;
    const expected = truths.length + (bulk?.sent ?? 0);
    const deadline = Date.now() + timeoutMs;
    while (events.length < expected && Date.now() < deadline) {
      snoop.flush();
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    snoop.flush();
    await new Promise((r) => setImmediate(r));
    return { pid, exitCode, stderr, truths, bulk, received, events };
  } finally {
    stop.abort();
    await consumer;
    await snoop.detach(pid).catch(() => undefined);
    child.kill();
  }
}
