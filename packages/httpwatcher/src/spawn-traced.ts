import { type ChildProcess, spawn as spawnChild } from 'node:child_process';
import type { AttachedProcess } from './attached-process.js';
import type { ResolveOptions } from './resolve-process-binary.js';
import { resolveCommandPath } from './command-path.js';
import type { ExitStatus } from './exit-status.js';
import { type FileProber, probeFile } from './probe-file.js';
import { SnooperError } from './snooper-error.js';
import type { TracedChild, TracedSpawnOptions } from './snooper-types.js';

/** How long spawn() waits for its child's exec record before it attaches the child by PID instead. */
const execRecordWaitMs = 5_000;

/**
 * Exec records of children started by spawn(), by PID: each settles the promise its spawn()
 * waits on, or is kept until spawn() asks (a fast child's record may come before the spawn
 * event, and the child may even have exited by then).
 */
export class SpawnedExecs {
  private readonly arrived = new Map<number, AttachedProcess>();
  private readonly waiting = new Map<number, (process: AttachedProcess | undefined) => void>();
  private closed = false;

  /** The kernel started tracing a child of ours at its exec. */
  execed(pid: number, process: AttachedProcess): void {
    const settle = this.waiting.get(pid);
    if (!settle) {
      this.arrived.set(pid, process);
      return;
    }
    this.waiting.delete(pid);
    settle(process);
  }

  /** The child's exec record, once it has arrived; undefined after `timeoutMs` or close(). */
  wait(pid: number, timeoutMs: number): Promise<AttachedProcess | undefined> {
    const arrived = this.arrived.get(pid);
    this.arrived.delete(pid);
    if (arrived || this.closed) return Promise.resolve(arrived);
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(undefined), timeoutMs);
      const settle = (process: AttachedProcess | undefined): void => {
        clearTimeout(timer);
        this.waiting.delete(pid);
        resolve(process);
      };
      this.waiting.set(pid, settle);
    });
  }

  /** The Snooper closed: no record will come; every wait ends with what has arrived (nothing). */
  close(): void {
    this.closed = true;
    for (const settle of [...this.waiting.values()]) settle(undefined);
  }
}

/** What spawnTraced needs from the Snooper. */
export interface SpawnParts extends FileProber {
  readonly spawnedExecs: SpawnedExecs;
  /** Decodes what the ring holds now (RecordPump.flush). */
  readonly flush: () => void;
  /** Attaches a running process by PID (ProcessTable.attach, as `spawn`). */
  readonly attachPid: (pid: number, options: ResolveOptions) => Promise<AttachedProcess>;
  /** Overrides execRecordWaitMs (tests). */
  readonly execRecordWaitMs?: number;
}

/** Snooper.spawn(): starts `command` with its binary's exec rule in place, so the kernel traces it from its exec. */
export async function spawnTraced(
  parts: SpawnParts,
  command: string,
  args: readonly string[],
  options: TracedSpawnOptions,
): Promise<TracedChild> {
  const { binaries, lifetime, spawnedExecs } = parts;
  const { resolve: resolveOptions, ...spawnOptions } = options;
  const searchPath = spawnOptions.env?.PATH ?? process.env.PATH;
  const cwd = spawnOptions.cwd === undefined ? undefined : String(spawnOptions.cwd);
  const path = await resolveCommandPath(command, searchPath, cwd);
  const binary = await probeFile(parts, path, resolveOptions);
  binaries.watch(binary, 'spawn');
  let child: ChildProcess;
  try {
    child = spawnChild(path, [...args], { ...spawnOptions, argv0: spawnOptions.argv0 ?? command });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (error) {
    if (!lifetime.closed) binaries.unwatch(binary, 'spawn');
    throw new SnooperError('NO_SUCH_FILE', `${command}: ${(error as Error).message}`, { cause: error });
  }
  const pid = child.pid!;
  // libuv reports the spawn when the child's close-on-exec fds close, which the kernel does a
  // little before it runs the exec tracepoint that inserts the child's state. Keep the watch
  // rule until the exec record for this pid has arrived (bounded), then take it away. Exec
  // records wake the ring's reader at once (BPF_RB_FORCE_WAKEUP), so nothing needs to poll.
  parts.flush();
  const execInfo = await spawnedExecs.wait(pid, parts.execRecordWaitMs ?? execRecordWaitMs);
  if (!lifetime.closed) binaries.unwatch(binary, 'spawn');
  const exited = new Promise<ExitStatus>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  if (execInfo) return { pid, process: execInfo, child, exited };
  // The exec record was late or lost (a full ring, a full traced_procs map): the program runs on, and
  // is traced by PID from now on. Its first requests may have gone unseen; it is never killed.
  try {
    return { pid, process: await parts.attachPid(pid, resolveOptions ?? {}), child, exited };
  } catch (error) {
    const cause = SnooperError.isInstance(error) ? error : undefined;
    throw new SnooperError(
      cause?.code ?? 'ATTACH_FAILED',
      `${command}: started as pid ${pid}, which runs on untraced: its exec was not seen and attaching it by PID ` +
        `failed: ${(error as Error).message}`,
      { pid, cause: error },
    );
  }
}
