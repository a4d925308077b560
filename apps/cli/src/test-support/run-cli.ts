import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptionsWithoutStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { repoRoot } from '@httpwatcher/test-support/repo-root';

export const cliBin = join(repoRoot, 'apps', 'cli', 'bin', 'httpwatcher.js');
export const fixture = (go: string, variant: string, program = 'client'): string =>
  join(repoRoot, 'test-fixtures', 'out', `go${go}`, variant, program);

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The bytes as written, for tests of what reaches a terminal. */
  bytes: { stdout: Buffer; stderr: Buffer };
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once stderr contains `text`; rejects if the CLI exits first. */
  stderrContains(text: string): Promise<void>;
  /** Resolves once stdout has at least `count` lines. */
  stdoutLines(count: number): Promise<void>;
  exit: Promise<CliResult>;
}

/** The environment without colour settings, so each test states the ones it means. */
export function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  // pnpm passes its own settings as npm_config_*; plain npm warns about every one it does not know.
  for (const key of Object.keys(env)) if (key.startsWith('npm_config_')) delete env[key];
  return { ...env, ...extra };
}

const running = new Set<ChildProcessWithoutNullStreams>();

/** Kills every CLI a test started and left running (after a failed assertion). */
export function killRunningClis(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Starts the real CLI as a child process, stdout and stderr piped. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: SpawnOptionsWithoutStdio = {},
): RunningCli {
  return startCliCommand([process.execPath, cliBin, ...args], env, options);
}

/** Like startCli, for a command line that runs the CLI some other way (under setpriv, from a copy). */
export function startCliCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  options: SpawnOptionsWithoutStdio = {},
): RunningCli {
  const child = spawn(argv[0]!, argv.slice(1), { env: plainEnv(env), ...options });
  running.add(child);
  child.on('close', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  // A chunk may end inside a UTF-8 character: decoders keep the partial bytes for the next one.
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const waiters = new Set<() => void>();
  const poke = (): void => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', (d: Buffer) => {
    chunks.stdout.push(d);
    stdout += decoders.stdout.write(d);
    poke();
  });
  child.stderr.on('data', (d: Buffer) => {
    chunks.stderr.push(d);
    stderr += decoders.stderr.write(d);
    poke();
  });
  const exit = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      stdout += decoders.stdout.end();
      stderr += decoders.stderr.end();
      const bytes = { stdout: Buffer.concat(chunks.stdout), stderr: Buffer.concat(chunks.stderr) };
      resolve({ code, signal, stdout, stderr, bytes });
      poke();
    }),
  );
  let exited = false;
  void exit.then(() => (exited = true));
  const until = (done: () => boolean, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (done()) {
          waiters.delete(check);
          resolve();
        } else if (exited) {
          waiters.delete(check);
          reject(new Error(`the CLI exited before ${what}; stderr:\n${stderr}`));
        }
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    stderrContains: (text) => until(() => stderr.includes(text), `printing "${text}" on stderr`),
    stdoutLines: (count) => until(() => stdout.split('\n').length - 1 >= count, `printing ${count} lines`),
    exit,
  };
}

/** Runs the real CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, env).exit;
}

export function requireFixture(path: string): string {
  if (!existsSync(path)) throw new Error(`fixture ${path} is missing: run test-fixtures/build.sh`);
  return path;
}
