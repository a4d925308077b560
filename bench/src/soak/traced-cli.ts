import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type CliSummary, parseCliSummary } from '../cli-summary.js';
import { cliBin } from '../paths.js';
import { sleep, waitFor } from '../stats.js';
import type { ChildProcesses } from './child-processes.js';

/** "tracing pid N (<exe>, <go version>)": a process --all found (apps/cli/src/trace-command.ts). */
const attachNotice = /^httpwatcher: tracing pid (\d+) \((.*), (go[^,)]*)\)$/;
const allNotice = /^httpwatcher: tracing every Go process/;
const stoppingNotice = /^httpwatcher: stopping: /;

export interface CliEnd {
  summary: CliSummary | undefined;
  /** 'exit 0', or how else it ended. */
  end: string;
}

/**
 * `httpwatcher --all --response --json -o <output>`, as a user runs it. Its stderr is read line by
 * line as it comes: which processes it traced, other diagnostics, and at the end its summary.
 */
export class TracedCli {
  /** PID → executable of every process it said it traces. */
  readonly attached = new Map<number, string>();
  /** Diagnostics other than attach notices, the notice that it watches and the summary (the first 20), and how many. */
  readonly notes: string[] = [];
  noteCount = 0;
  private watching = false;
  private summaryText: string | undefined;
  /** Settles when it has exited and its stderr is read to the end. */
  readonly exited: Promise<string>;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stderr! }).on('line', (line) => this.onLine(line));
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => resolve(code !== null ? `exit ${code}` : String(signal))),
    );
  }

  static start(children: ChildProcesses, output: string): TracedCli {
    const child = children.spawn(process.execPath, [cliBin, '--all', '--response', '--json', '-o', output], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return new TracedCli(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private onLine(line: string): void {
    if (this.summaryText !== undefined) {
      this.summaryText += `${line}\n`;
      return;
    }
    const attach = attachNotice.exec(line);
    if (attach) {
      this.attached.set(Number(attach[1]), attach[2]!);
      return;
    }
    if (allNotice.test(line)) this.watching = true;
    else if (stoppingNotice.test(line)) this.summaryText = '';
    else {
      this.noteCount++;
      if (this.notes.length < 20) this.notes.push(line);
    }
  }

  /** Resolves once it traces every Go process (attachAll done); throws if it exits or takes longer than `timeoutMs`. */
  async watchingAll(timeoutMs: number): Promise<void> {
    if (!(await waitFor(() => this.watching || !this.running, timeoutMs, 50)) || !this.running)
      throw new Error(`the CLI did not start tracing every Go process: ${this.notes.join(' | ')}`);
  }

  /** Whether it said it traces `pid` within `timeoutMs`. */
  tracing(pid: number, timeoutMs: number): Promise<boolean> {
    return waitFor(() => this.attached.has(pid), timeoutMs, 20);
  }

  /** SIGINT, as Ctrl-C: it stops tracing, prints what it has queued and its summary, and exits. */
  async stop(timeoutMs: number): Promise<CliEnd> {
    if (this.running) this.child.kill('SIGINT');
    const end = await Promise.race([this.exited, sleep(timeoutMs).then(() => undefined)]);
    if (end === undefined) {
      this.child.kill('SIGKILL');
      return { summary: undefined, end: `did not exit within ${timeoutMs} ms of SIGINT; killed` };
    }
    return { summary: this.summaryText === undefined ? undefined : parseCliSummary(this.summaryText), end };
  }
}
