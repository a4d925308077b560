import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { GoProgram, type Round } from './go-program.js';
import { LineReader } from './line-reader.js';

/** Rounds of Client.do calls timed by the Go program itself, each round in a process a probe can be attached to first. */
export interface CallLoop {
  /** The process that makes the next round's calls: attach to it, then `run`. */
  next(): Promise<number>;
  run(calls: number): Promise<Round>;
  stop(): Promise<void>;
}

/** test-fixtures/bench-client: one process for every round, in-process RoundTripper. */
export async function benchClientLoop(binary: string): Promise<CallLoop> {
  const program = await GoProgram.start(binary, ['-transport', 'inproc']);
  await program.run(20_000); // warm-up: first-call allocations, page faults
  return {
    next: async () => program.pid,
    run: (calls) => program.run(calls),
    stop: () => program.stop(),
  };
}

/**
 * test-fixtures/response-client `-scenario load -c 1`: the fixture that builds with Go 1.15 (the
 * stack ABI), keep-alive loopback to its own server, one process per round (the scenario runs once):
 * `-wait` holds it after its ready line until the probes are attached. Its `Client.Get` calls Client.do.
 */
export function responseClientLoop(binary: string, calls: number): CallLoop {
  let child: ChildProcessWithoutNullStreams | undefined;
  let lines: LineReader | undefined;
  let pid: number | undefined;
  return {
    async next() {
      if (child && pid !== undefined) return pid; // started and not run yet
      child = spawn(binary, ['-wait', '-scenario', 'load', '-n', String(calls), '-c', '1'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      lines = new LineReader(child.stdout);
      const ready = JSON.parse((await lines.next(10_000, 'response-client ready line')) ?? '{}') as { pid?: number };
      if (ready.pid === undefined) throw new Error(`${binary} printed no ready line`);
      pid = ready.pid;
      return pid;
    },
    async run(n) {
      if (!child || !lines || n !== calls) throw new Error(`response-client: next() first, ${calls} calls per round`);
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      child.stdin.end('\n');
      const line = await lines.next(120_000, 'response-client load line');
      const load = JSON.parse(line ?? '{}') as { sent?: number; received?: number; elapsedNs?: number };
      await exited;
      child = undefined;
      pid = undefined;
      if (load.elapsedNs === undefined || load.received !== calls)
        throw new Error(`response-client: ${load.received} of ${calls} calls answered (${line})`);
      return {
        calls,
        goroutines: 1,
        elapsedNs: load.elapsedNs,
        nsPerCall: load.elapsedNs / calls,
        callsPerSec: calls / (load.elapsedNs / 1e9),
      };
    },
    async stop() {
      child?.kill('SIGKILL');
    },
  };
}
