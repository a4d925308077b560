import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

/** Every process the soak starts, so that each can be killed at the end, on Ctrl-C or on an error. */
export class ChildProcesses {
  private readonly live = new Set<ChildProcess>();
  /** The PID of every process started, alive or not. */
  readonly started = new Set<number>();

  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    const child = spawn(file, args, options);
    this.live.add(child);
    if (child.pid !== undefined) this.started.add(child.pid);
    const forget = (): void => void this.live.delete(child);
    child.once('exit', forget);
    child.once('error', forget);
    return child;
  }

  get size(): number {
    return this.live.size;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    for (const child of this.live) child.kill(signal);
  }
}
