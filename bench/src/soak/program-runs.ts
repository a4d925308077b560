import { chmodSync, copyFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { LineReader } from '../line-reader.js';
import { sleep } from '../stats.js';
import type { ChildProcesses } from './child-processes.js';
import { requestsInLine } from './ground-truth.js';
import type { ProgramSpec } from './soak-workload.js';

/** One run of one program, and what it said it sent. */
export interface ProgramRun {
  label: string;
  pid: number;
  requests: number;
  /** It ended by itself (exit code set), so its count is whole; not when the soak killed it. */
  complete: boolean;
  /** 'exit 0', 'exit 1', 'SIGKILL', or the spawn error. */
  end: string;
}

/** The runs so far: what the programs said they sent, per PID. */
export class ProgramTally {
  readonly requestsByPid = new Map<number, number>();
  /** PIDs of runs the soak killed: their counts are partial, so they are left out of the comparison. */
  readonly incompletePids = new Set<number>();
  runs = 0;
  requests = 0;
  readonly runsByLabel = new Map<string, number>();
  /** Runs that did not exit 0 (the first 20). */
  readonly failures: ProgramRun[] = [];
  failureCount = 0;

  record(run: ProgramRun): void {
    this.runs++;
    this.runsByLabel.set(run.label, (this.runsByLabel.get(run.label) ?? 0) + 1);
    if (run.end !== 'exit 0') {
      this.failureCount++;
      if (this.failures.length < 20) this.failures.push(run);
    }
    if (!run.complete) {
      this.incompletePids.add(run.pid);
      return;
    }
    this.requestsByPid.set(run.pid, run.requests);
    this.requests += run.requests;
  }

  /** An idle program the soak ended (an anchor): it sent nothing, so any request line of its PID is one too many. */
  recordIdle(label: string, pid: number): void {
    this.runsByLabel.set(label, (this.runsByLabel.get(label) ?? 0) + 1);
    this.requestsByPid.set(pid, 0);
  }
}

/** Starts the soak's programs and counts what each says it sent. */
export class ProgramRunner {
  private copies = 0;

  constructor(
    private readonly children: ChildProcesses,
    /** Where fresh copies of a binary go (removed after their run). */
    private readonly scratchDir: string,
  ) {}

  /** Runs `spec` once to its end, counting the requests it reports on stdout. */
  async runOnce(spec: ProgramSpec): Promise<ProgramRun> {
    let file = spec.file;
    if (spec.freshCopy) {
      file = join(this.scratchDir, `${basename(spec.file)}-${++this.copies}`);
      copyFileSync(spec.file, file);
      chmodSync(file, 0o700);
    }
    try {
      return await this.run(spec, file);
    } finally {
      if (spec.freshCopy) rmSync(file, { force: true });
    }
  }

  private run(spec: ProgramSpec, file: string): Promise<ProgramRun> {
    const child = this.children.spawn(file, spec.args, {
      stdio: ['ignore', spec.traced ? 'pipe' : 'ignore', 'ignore'],
    });
    let requests = 0;
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (l) => (requests += requestsInLine(l)));
    return new Promise((resolve) => {
      child.once('error', (error) =>
        resolve({ label: spec.label, pid: child.pid ?? 0, requests, complete: false, end: error.message }),
      );
      // 'close': exited, and its stdout read to the end.
      child.once('close', (code, signal) =>
        resolve({
          label: spec.label,
          pid: child.pid ?? 0,
          requests,
          complete: code !== null,
          end: code !== null ? `exit ${code}` : String(signal),
        }),
      );
    });
  }
}

/** Runs `spec` again and again while `running()`; a program that cannot start stops the soak. */
export async function repeat(
  spec: ProgramSpec,
  runner: ProgramRunner,
  tally: ProgramTally,
  running: () => boolean,
): Promise<void> {
  while (running()) {
    const run = await runner.runOnce(spec);
    tally.record(run);
    if (run.pid === 0) throw new Error(`${spec.file} could not start: ${run.end}`);
  }
}

export interface StormCounts {
  started: number;
  /** Starts left out because `maxAlive` programs of the storm still ran. */
  skipped: number;
}

/** Starts the storm's programs in turn, one every `intervalMs`, at most `maxAlive` at once, while `running()`. */
export async function execStorm(
  specs: readonly ProgramSpec[],
  options: { intervalMs: number; maxAlive: number },
  runner: ProgramRunner,
  tally: ProgramTally,
  running: () => boolean,
): Promise<StormCounts> {
  const counts: StormCounts = { started: 0, skipped: 0 };
  const alive = new Set<Promise<void>>();
  for (let i = 0; running(); i++) {
    if (alive.size < options.maxAlive) {
      const run: Promise<void> = runner.runOnce(specs[i % specs.length]!).then((r) => {
        tally.record(r);
        alive.delete(run);
      });
      alive.add(run);
      counts.started++;
    } else {
      counts.skipped++;
    }
    await sleep(options.intervalMs);
  }
  await Promise.all(alive);
  return counts;
}

/** An idle Go program (`-wait`) that the soak kills at the end; it sent nothing. */
export interface Anchor {
  label: string;
  pid: number;
  stop(): void;
}

/** Starts `spec` (with -wait) and waits for its ready line, which gives its PID. */
export async function startAnchor(spec: ProgramSpec, children: ChildProcesses): Promise<Anchor> {
  // stdin stays open: the program waits for a line on it before its first request.
  const child = children.spawn(spec.file, spec.args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const ready = await new LineReader(child.stdout!).next(10_000, `${spec.label} ready line`);
  const pid = ready ? (JSON.parse(ready) as { pid?: number }).pid : undefined;
  if (pid === undefined) throw new Error(`${spec.file} -wait did not print its ready line (got ${ready})`);
  return { label: spec.label, pid, stop: () => void child.kill('SIGKILL') };
}
