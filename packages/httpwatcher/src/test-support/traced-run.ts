import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
 * Blocks this thread (no drain, no timer, no callback runs) until process `pid` has exited (a
 * zombie: nothing here reaps it while blocked) or `maxMs` have passed.
 */
function blockUntilExited(pid: number, maxMs: number): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    let state = 'Z';
    try {
      state = /^\d+ \(.*\) (\S)/s.exec(readFileSync(`/proc/${pid}/stat`, 'latin1'))?.[1] ?? 'Z';
    } catch {}
    if (state === 'Z') return;
    Atomics.wait(sleeper, 0, 0, 20);
  }
}

/**
 * Runs a fixture under `snoop`: starts it with -wait, attaches, lets it run to exit, then
 * collects events until every request it reported has one (or `timeoutMs` passes), and a
 * little longer so that surplus (duplicate) events would show too. `blockJsThreadMs`: once the
 * program is told to go, this thread does nothing else (as in a long garbage collection) until the
 * program has exited, at most that long.
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
    if (options.blockJsThreadMs) blockUntilExited(pid, options.blockJsThreadMs);
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
