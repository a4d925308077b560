import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import { parseCliSummary, type ProcessSummary } from './cli-summary.js';
import { benchOut, cliBin } from './paths.js';
import { cpuUsOf } from './process-cpu.js';
import { sleep, waitFor } from './stats.js';

export interface CliProcessesResult {
  processes: number;
  /** Requests each client made, and what they made in all. */
  callsEach: number;
  calls: number;
  /** The clients' own rates while traced, added up. */
  callsPerSec: number;
  /** NDJSON request lines in the file, in all and per client PID. */
  printed: number;
  printedByPid: Map<number, number>;
  captured: number;
  kernelDrops: number;
  queueDrops: number;
  /** The summary's line for each client. */
  byPid: Map<number, ProcessSummary>;
  cpuUsPerRequest: number;
  hwmMb: number;
}

const cpuAtExit = join(repoRoot, 'bench', 'support', 'cpu-at-exit.cjs');
const pidOfLine = /^\{"time":"[^"]*","pid":(\d+),/;

async function linesByPid(path: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for await (const line of createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }) })) {
    const pid = pidOfLine.exec(line)?.[1];
    if (pid !== undefined) counts.set(Number(pid), (counts.get(Number(pid)) ?? 0) + 1);
  }
  return counts;
}

/**
 * `httpwatcher --json -o FILE --binary bench-client`, then `processes` clients of that binary started
 * at once, each making `callsEach` requests at its full in-process rate: the CLI traces each from
 * its exec, and every request of every client should be in the file, once.
 */
export async function runCliProcesses(options: {
  binary: string;
  processes: number;
  callsEach: number;
}): Promise<CliProcessesResult> {
  const { binary, processes, callsEach } = options;
  const dir = join(benchOut, 'cli-processes');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'requests.ndjson');
  rmSync(file, { force: true });
  const cli = spawn(process.execPath, ['-r', cpuAtExit, cliBin, '--json', '-o', file, '--binary', binary], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  cli.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
  const cliExited = new Promise<void>((resolve) => cli.once('exit', () => resolve()));
  const clients: ChildProcessWithoutNullStreams[] = [];
  try {
    if (!(await waitFor(() => stderr.includes('tracing binary'), 30_000)) || cli.pid === undefined)
      throw new Error(`the CLI did not start watching the binary: ${stderr}`);
    const cpuBefore = cpuUsOf(cli.pid);
    const rounds: Array<Promise<number>> = [];
    for (let i = 0; i < processes; i++) {
      const client = spawn(binary, ['-transport', 'inproc', '-goroutines', '1'], { stdio: 'pipe' });
      clients.push(client);
      let out = '';
      client.stdout.on('data', (d: Buffer) => (out += d.toString()));
      rounds.push(
        new Promise((resolve, reject) =>
          client.once('close', () => {
            const round = out.split('\n').find((l) => l.startsWith('{"kind":"round"'));
            if (round) resolve((JSON.parse(round) as { callsPerSec: number }).callsPerSec);
            else reject(new Error(`client ${client.pid} ended without its round: ${out}`));
          }),
        ),
      );
    }
    // Each client is traced from its exec; wait until the CLI has said so for all before they start.
    if (!(await waitFor(() => clients.every((c) => stderr.includes(`tracing pid ${c.pid} `)), 30_000)))
      throw new Error(`the CLI did not trace every client: ${stderr}`);
    for (const client of clients) client.stdin.end(`run ${callsEach}\nquit\n`);
    const rates = await Promise.all(rounds);
    await sleep(500);
    cli.kill('SIGINT');
    await Promise.race([cliExited, sleep(600_000)]);
    const atExit = /bench-at-exit cpuUs=(\d+) hwmKb=(\d+)/.exec(stderr);
    const summary = parseCliSummary(stderr);
    if (!atExit || !summary) throw new Error(`cli-processes: the CLI's run did not finish: ${stderr}`);
    const printedByPid = await linesByPid(file);
    const calls = processes * callsEach;
    return {
      processes,
      callsEach,
      calls,
      callsPerSec: rates.reduce((a, b) => a + b, 0),
      printed: [...printedByPid.values()].reduce((a, b) => a + b, 0),
      printedByPid,
      captured: summary.captured,
      kernelDrops: summary.kernelDrops,
      queueDrops: summary.queueDrops,
      byPid: summary.byPid,
      cpuUsPerRequest: (Number(atExit[1]) - cpuBefore) / calls,
      hwmMb: Number(atExit[2]) / 1024,
    };
  } finally {
    for (const client of clients) if (client.exitCode === null) client.kill('SIGKILL');
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    rmSync(file, { force: true });
  }
}
