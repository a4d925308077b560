import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** A fixture program started with -wait: it prints {"kind":"ready","pid":N}, then waits for a line on stdin. */
export interface GoFixture {
  pid: number;
  child: ChildProcessByStdio<Writable, Readable, null>;
  /** Every JSON line it printed after the ready line: its ground truth. */
  lines: Array<Record<string, unknown>>;
  release(): void;
  /** Resolves with the exit code once it exited and its stdout ended. */
  exited: Promise<number | null>;
  kill(): void;
}

export async function startGoFixture(path: string, args: string[]): Promise<GoFixture> {
  const child = spawn(path, ['-wait', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Array<Record<string, unknown>> = [];
  const stdoutEnded = new Promise<void>((resolve) => child.stdout.on('end', resolve));
  const exitCode = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const pid = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg.kind === 'ready') resolve(msg.pid as number);
      else lines.push(msg);
    });
    child.once('exit', (code) => reject(new Error(`${path} exited (${code}) before it was ready`)));
  });
  return {
    pid,
    child,
    lines,
    release: () => child.stdin.end('go\n'),
    exited: Promise.all([exitCode, stdoutEnded]).then(([code]) => code),
    kill: () => void child.kill('SIGKILL'),
  };
}
