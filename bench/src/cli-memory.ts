import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { GoProgram } from './go-program.js';
import { cliBin } from './paths.js';
import { median, sleep, waitFor } from './stats.js';

export interface CliMemoryResult {
  calls: number;
  callsPerSec: number;
  printed: number;
  /** Peak resident set (VmHWM) of the CLI process, and the largest VmRSS sampled, in MB. */
  hwmMb: number;
  maxRssMb: number;
  /** VmRSS once attached, before the load, MB. */
  idleRssMb: number;
  /** What the CLI printed on stderr when it stopped (its counters). */
  summary: string;
  /** VmHWM of `node` running an empty script: what any Node.js CLI starts from, MB. */
  nodeAloneMb: number;
  /** The CLI's resident memory by kind when VmRSS was largest, MB. */
  peakParts: Record<string, number>;
}

/** Issue 17's bound on the CLI's VmHWM at a client's full rate (80 MB before: a queue and ring that small lost requests). */
export const cliHwmTargetMb = 120;

export function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/** Resident kB of `pid` by kind of mapping (/proc/<pid>/smaps). */
function residentParts(pid: number): Record<string, number> {
  const parts: Record<string, number> = {
    'node binary': 0,
    'BPF ring': 0,
    'malloc heap': 0,
    'anonymous (V8 heap, stacks)': 0,
    'other files': 0,
  };
  let kind = 'anonymous (V8 heap, stacks)';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const name = mapping[1]!;
      kind =
        name === process.execPath
          ? 'node binary'
          : name.startsWith('anon_inode:bpf')
            ? 'BPF ring'
            : name === '[heap]'
              ? 'malloc heap'
              : name.startsWith('/')
                ? 'other files'
                : 'anonymous (V8 heap, stacks)';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) parts[kind]! += Number(rss[1]);
  }
  return parts;
}

/** VmHWM of node running a script that allocates nothing, MB. */
export async function nodeAloneMb(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)'], { stdio: 'ignore' });
  await sleep(1_000);
  const kb = child.pid === undefined ? Number.NaN : statusKb(child.pid, 'VmHWM');
  child.kill();
  return kb / 1024;
}

/** CLI memory: resident memory of `httpwatcher -p <pid> --json` while the client runs at full speed. */
export async function measureCliMemory(options: {
  binary: string;
  goroutines: number;
  calls: number;
  iterations: number;
}): Promise<CliMemoryResult> {
  const { binary, goroutines, calls, iterations } = options;
  const program = await GoProgram.start(binary, ['-transport', 'inproc', '-goroutines', String(goroutines)]);
  const cli = spawn(process.execPath, [cliBin, '-p', String(program.pid), '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = 0;
  let stderr = '';
  cli.stdout.on('data', (d: Buffer) => {
    for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) printed++;
  });
  cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => cli.once('exit', () => resolve()));
  try {
    if (!(await waitFor(() => stderr.includes('tracing pid'), 30_000)) || cli.pid === undefined) {
      throw new Error(`the CLI did not start tracing: ${stderr}`);
    }
    const pid = cli.pid;
    await sleep(300);
    const idleRssMb = statusKb(pid, 'VmRSS') / 1024;
    let maxRss = 0;
    let peakParts: Record<string, number> = {};
    const sampler = setInterval(() => {
      const rss = statusKb(pid, 'VmRSS');
      if (rss <= maxRss) return;
      maxRss = rss;
      peakParts = Object.fromEntries(Object.entries(residentParts(pid)).map(([k, kb]) => [k, kb / 1024]));
    }, 100);
    const rates: number[] = [];
    for (let i = 0; i < iterations; i++) rates.push((await program.run(calls)).callsPerSec);
    // Let the CLI print what it has queued: done once its output stops growing for a second.
    for (let last = -1; printed !== last && printed < calls * iterations; ) {
      last = printed;
      await sleep(1_000);
    }
    clearInterval(sampler);
    const hwmMb = statusKb(pid, 'VmHWM') / 1024;
    const stderrBefore = stderr.length;
    cli.kill('SIGINT');
    await Promise.race([exited, sleep(10_000)]);
    const summary = stderr.slice(stderrBefore).replace(/\s+/g, ' ').trim();
    return {
      calls: calls * iterations,
      callsPerSec: median(rates),
      printed,
      hwmMb,
      maxRssMb: maxRss / 1024,
      idleRssMb,
      summary,
      nodeAloneMb: await nodeAloneMb(),
      peakParts,
    };
  } finally {
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    await program.stop();
  }
}
