import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface GuestCli {
  child: ChildProcessWithoutNullStreams;
  /** Resolves once stderr contains `text`; rejects if the CLI exits first or `timeoutMs` passes. */
  stderrContains(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves once stdout has at least `count` lines; rejects like stderrContains. */
  stdoutLines(count: number, timeoutMs?: number): Promise<void>;
  exit: Promise<CliExit>;
}

/** The installed httpwatcher CLI as a child process, stdout and stderr piped (apps/cli's run-cli, for the guest). */
export function startCli(cliBin: string, args: string[]): GuestCli {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [cliBin, ...args], { env });
  let stdout = '';
  let stderr = '';
  let exited = false;
  const waiters = new Set<() => void>();
  const poke = (): void => {
    for (const w of waiters) w();
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    poke();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    poke();
  });
  const exit = new Promise<CliExit>((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      poke();
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const until = (what: string, done: () => boolean, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`CLI: no ${what} in ${timeoutMs} ms; stderr: ${stderr}`)),
        timeoutMs,
      );
      const check = (): void => {
        if (done()) finish();
        else if (exited) finish(new Error(`CLI exited before ${what}; stderr: ${stderr}`));
      };
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    stderrContains: (text, timeoutMs = 60_000) => until(`"${text}" on stderr`, () => stderr.includes(text), timeoutMs),
    stdoutLines: (count, timeoutMs = 60_000) =>
      until(`${count} lines on stdout`, () => stdout.split('\n').length > count, timeoutMs),
    exit,
  };
}
