import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { LineReader } from './line-reader.js';

export interface Round {
  calls: number;
  goroutines: number;
  elapsedNs: number;
  nsPerCall: number;
  callsPerSec: number;
}

export interface SentMark {
  seq: number;
  realtimeNs: number;
}

/**
 * A running benchmark program of test-fixtures/bench-* that takes one command per stdin line and
 * answers in JSON lines (see test-fixtures/bench-client/main.go).
 */
export class GoProgram {
  private stderr = '';

  private constructor(
    readonly path: string,
    readonly pid: number,
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: LineReader,
  ) {
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4096)));
  }

  static async start(path: string, args: string[] = []): Promise<GoProgram> {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = new LineReader(child.stdout);
    const ready = await lines.next(10_000, `${path} ready line`);
    const msg = ready ? (JSON.parse(ready) as { kind: string; pid: number }) : undefined;
    if (msg?.kind !== 'ready') throw new Error(`${path} did not print its ready line (got ${ready})`);
    return new GoProgram(path, msg.pid, child, lines);
  }

  private async reply<T>(timeoutMs: number, what: string): Promise<T> {
    const line = await this.lines.next(timeoutMs, what);
    if (line === undefined) throw new Error(`${this.path} exited during ${what}; stderr: ${this.stderr}`);
    return JSON.parse(line) as T;
  }

  /** `calls` requests as fast as the program goes; its own timing. */
  async run(calls: number, timeoutMs = 120_000): Promise<Round> {
    this.child.stdin.write(`run ${calls}\n`);
    return this.reply<Round>(timeoutMs, `run ${calls}`);
  }

  /** One request every `intervalMs`; `onSent` gets the program's CLOCK_REALTIME before each call. */
  async paced(count: number, intervalMs: number, onSent: (mark: SentMark) => void): Promise<void> {
    this.child.stdin.write(`paced ${count} ${intervalMs}\n`);
    for (;;) {
      const msg = await this.reply<{ kind: string } & SentMark>(intervalMs + 10_000, 'paced');
      if (msg.kind === 'paced-done') return;
      onSent(msg);
    }
  }

  /** One line on stdin and its JSON answer (bench-large: one request per line). */
  async send<T>(line: string, what: string): Promise<T> {
    this.child.stdin.write(`${line}\n`);
    return this.reply<T>(10_000, what);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
