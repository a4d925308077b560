import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, createReadStream, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { statusKb } from './cli-memory.js';
import { parseCliSummary } from './cli-summary.js';
import { LineHeads } from './line-heads.js';
import { cpuUsOf } from './process-cpu.js';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import { benchOut, cliBin } from './paths.js';
import { sleep, waitFor } from './stats.js';

export type CliFormat = 'json' | 'text' | 'quiet';
export type CliOutput = 'file' | 'pipe';

export interface CliRunResult {
  format: CliFormat;
  output: CliOutput;
  goroutines: number;
  calls: number;
  /** The client's own rate while traced. */
  callsPerSec: number;
  /** Requests found in the output (for --quiet: those the summary says were captured). */
  printed: number;
  /** From the CLI's summary line. */
  captured: number;
  kernelDrops: number;
  queueDrops: number;
  /** CPU time (user + system) of the CLI from the moment it was tracing, idle, to its exit, per request. */
  cpuUsPerRequest: number;
  /** VmHWM of the CLI at its exit, MB. */
  hwmMb: number;
  /** VmRSS half a second after it began tracing (the analysis worker still up), MB. */
  startRssMb: number;
  /** VmRSS after tracing with nothing to do for longer than the analysis worker's idle time, MB. */
  idleRssMb: number;
}

const idleSettleMs = 12_000;
const cpuAtExit = join(repoRoot, 'bench', 'support', 'cpu-at-exit.cjs');
/** A request's first line: `{"time"…` in NDJSON, `<pid> <METHOD> …` in text (header lines start with spaces). */
const isRequestLine = (format: CliFormat) => (head: string) =>
  format === 'json' ? head.startsWith('{"time"') : /^[0-9]/.test(head);

async function countFile(path: string, format: CliFormat): Promise<number> {
  const heads = new LineHeads(isRequestLine(format));
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) heads.add(chunk as Buffer);
  heads.end();
  return heads.count;
}

/**
 * `httpwatcher [--json|--quiet] [-o FILE] -- bench-client` with `calls` requests at the client's
 * full in-process rate, as a user would run it; every request printed is counted in the output.
 * To a pipe: the CLI's stdout is a FIFO, a pipe as a shell's `httpwatcher … | reader` gives, read
 * here (Node's own child stdio is a socket pair).
 */
export async function runCli(options: {
  binary: string;
  format: CliFormat;
  output: CliOutput;
  goroutines: number;
  calls: number;
}): Promise<CliRunResult> {
  const { binary, format, output, goroutines, calls } = options;
  const dir = join(benchOut, 'cli-throughput');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `requests.${format === 'json' ? 'ndjson' : 'txt'}`);
  rmSync(file, { force: true });
  const fifo = join(dir, 'requests.fifo');
  rmSync(fifo, { force: true });
  let pipeEnd: number | undefined;
  if (output === 'pipe') {
    execFileSync('mkfifo', [fifo]);
    // Opened for reading and writing, which never waits for the other end; the CLI's copy is its stdout.
    pipeEnd = openSync(fifo, constants.O_RDWR);
  }
  const args = [
    '-r',
    cpuAtExit,
    cliBin,
    ...(format === 'json' ? ['--json'] : format === 'quiet' ? ['--quiet'] : []),
    ...(output === 'file' ? ['-o', file] : []),
    '--',
    binary,
    '-transport',
    'inproc',
    '-goroutines',
    String(goroutines),
  ];
  const cli = spawn(process.execPath, args, { stdio: ['pipe', pipeEnd ?? 'pipe', 'pipe'] });
  const stdout = new LineHeads(isRequestLine(format));
  let stderr = '';
  let stdoutRead: Promise<void> = Promise.resolve();
  if (pipeEnd === undefined) cli.stdout!.on('data', (d: Buffer) => stdout.add(d));
  else {
    const reader = createReadStream(fifo);
    reader.on('data', (d) => stdout.add(d as Buffer));
    stdoutRead = new Promise((resolve) => reader.once('close', () => resolve()));
    // Once the CLI exits, the pipe has no writer left and its reader ends.
    closeSync(pipeEnd);
  }
  cli.stderr!.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
  const exited = new Promise<void>((resolve) => cli.once('exit', () => resolve()));
  try {
    if (!(await waitFor(() => stderr.includes('tracing pid'), 30_000)) || cli.pid === undefined)
      throw new Error(`the CLI did not start tracing: ${stderr}`);
    await sleep(500);
    const startRssMb = statusKb(cli.pid, 'VmRSS') / 1024;
    // The analysis worker stops after 10 s without work (BinaryAnalyzer's idleMs).
    await sleep(idleSettleMs);
    const idleRssMb = statusKb(cli.pid, 'VmRSS') / 1024;
    const cpuBefore = cpuUsOf(cli.pid);
    cli.stdin!.end(`run ${calls}\nquit\n`);
    await Promise.race([exited, sleep(600_000)]);
    await Promise.race([stdoutRead, sleep(60_000)]);
    stdout.end();
    const atExit = /bench-at-exit cpuUs=(\d+) hwmKb=(\d+)/.exec(stderr);
    const summary = parseCliSummary(stderr);
    // The client's reply: on the CLI's stdout when the requests go to a file, on its stderr when they go to a pipe.
    const round = [...stdout.kept, ...stderr.split('\n')].find((l) => l.startsWith('{"kind":"round"'));
    if (!atExit || !summary || !round) throw new Error(`cli-throughput: the CLI's run did not finish: ${stderr}`);
    const printed =
      format === 'quiet' ? summary.printed : output === 'file' ? await countFile(file, format) : stdout.count;
    return {
      format,
      output,
      goroutines,
      calls,
      callsPerSec: (JSON.parse(round) as { callsPerSec: number }).callsPerSec,
      printed,
      captured: summary.captured,
      kernelDrops: summary.kernelDrops,
      queueDrops: summary.queueDrops,
      cpuUsPerRequest: (Number(atExit[1]) - cpuBefore) / calls,
      hwmMb: Number(atExit[2]) / 1024,
      startRssMb,
      idleRssMb,
    };
  } finally {
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    rmSync(file, { force: true });
    rmSync(fifo, { force: true });
  }
}
