import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { fixture, requireFixture } from './run-cli.js';

/** What the fixture says it sent (test-fixtures/client/main.go). */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Request.Host when it overrides the URL's host. */
  host?: string;
  /** The status code the program received (test-fixtures/client prints it). */
  status: number;
}

export interface FixtureClient {
  pid: number;
  child: ChildProcessByStdio<Writable, Readable, null>;
  /** Requests it reported so far. */
  sent: SentRequest[];
  /** Lets it start its requests. */
  release(): void;
  /** Resolves once it reported `count` requests. */
  sentAtLeast(count: number): Promise<void>;
  exited: Promise<number | null>;
  kill(): void;
}

/**
 * Starts the Go 1.24 fixture client with -wait (from `options.path`, as user `options.as`, when
 * given); it makes its requests after release().
 */
export async function startClient(
  scenario: 'basic' | 'demo' | 'capture',
  repeat = 1,
  options: { path?: string; as?: { uid: number; gid: number } } = {},
): Promise<FixtureClient> {
  const path = options.path ?? requireFixture(fixture('1.24', 'default'));
  const child = spawn(path, ['-wait', '-scenario', scenario, '-repeat', String(repeat)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    ...options.as,
  });
  const sent: SentRequest[] = [];
  const waiters = new Set<() => void>();
  // 'close', not 'exit': the program can exit before its last lines are read from the pipe.
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const pid = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { kind: string; pid?: number } & SentRequest;
      if (msg.kind === 'ready') resolve(msg.pid!);
      if (msg.kind === 'request')
        sent.push({ method: msg.method, url: msg.url, headers: msg.headers, host: msg.host, status: msg.status });
      for (const w of waiters) w();
    });
    child.once('exit', (code) => reject(new Error(`the fixture exited (${code}) before it was ready`)));
  });
  return {
    pid,
    child,
    sent,
    release: () => child.stdin.end('go\n'),
    sentAtLeast: (count) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (sent.length >= count) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      }),
    exited,
    kill: () => void child.kill('SIGKILL'),
  };
}
